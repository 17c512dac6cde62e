using Dht.Protocol;
using Dht.Routing;

namespace Dht.Tests.Routing;

public sealed class RoutingTableTests
{
    private static readonly DateTimeOffset T0 = RoutingTestNodes.T0;
    private readonly RoutingTestNodes _nodes = new();

    [Fact]
    public void NewTable_HasOneEmptyBucketCoveringEverything()
    {
        var table = _nodes.NewTable();

        Assert.Equal(0, table.Count);
        Assert.Equal(1, table.BucketCount);
        var bucket = Assert.Single(table.Snapshot(T0));
        Assert.True(bucket.IsLast);
        Assert.Equal(0, bucket.PrefixLength);
        Assert.True(bucket.Covers(NodeId.Zero));
        Assert.True(bucket.Covers(NodeId.Max));
    }

    [Fact]
    public void Heard_NewNode_ReturnsInserted()
    {
        var table = _nodes.NewTable();
        var node = _nodes.AnyNode();

        var result = table.Heard(node, isResponse: true, T0);

        Assert.Equal(new InsertResult(InsertOutcome.Inserted) { FirstResponse = true }, result);
        Assert.Equal(1, table.Count);
        Assert.True(table.TryGet(node.Id, out var contact));
        Assert.Equal(node, contact.Node);
        Assert.Equal(node.Id, contact.Id);
        Assert.Equal(node.EndPoint, contact.EndPoint);
    }

    [Fact]
    public void Heard_KnownNode_ReturnsUpdatedAndMovesItToMostRecentlySeen()
    {
        var table = _nodes.NewTable();
        var nodes = _nodes.Fill(table, 0, 3, isResponse: true, T0);
        var later = T0 + TimeSpan.FromMinutes(1);

        var result = table.Heard(nodes[0], isResponse: false, later);

        Assert.Equal(InsertOutcome.Updated, result.Outcome);
        Assert.Equal(3, table.Count);
        Assert.Equal([nodes[1], nodes[2], nodes[0]], table.Contacts.Select(c => c.Node));
        Assert.True(table.TryGet(nodes[0].Id, out var contact));
        Assert.Equal(later, contact.LastSeen);
        Assert.Equal(T0, contact.LastResponse);
    }

    [Fact]
    public void Heard_NewNodes_KeepsLeastRecentlySeenFirst()
    {
        var table = _nodes.NewTable();
        var a = _nodes.WithPrefix(0);
        var b = _nodes.WithPrefix(0);
        var c = _nodes.WithPrefix(0);

        table.Heard(a, isResponse: true, T0);
        table.Heard(b, isResponse: true, T0 + TimeSpan.FromSeconds(1));
        table.Heard(c, isResponse: true, T0 + TimeSpan.FromSeconds(2));
        table.Heard(b, isResponse: true, T0 + TimeSpan.FromSeconds(3));
        table.Heard(a, isResponse: false, T0 + TimeSpan.FromSeconds(4));

        Assert.Equal([c, b, a], table.Contacts.Select(x => x.Node));
    }

    [Fact]
    public void Heard_OwnId_ReturnsRejected()
    {
        var table = _nodes.NewTable();

        var result = table.Heard(new NodeInfo(_nodes.LocalId, _nodes.NextEndPoint()), isResponse: true, T0);

        Assert.Equal(InsertOutcome.Rejected, result.Outcome);
        Assert.Equal(0, table.Count);
        Assert.Equal(0, table.ReplacementCount);
    }

    [Fact]
    public void Heard_UnusableEndPoint_ReturnsRejected()
    {
        var table = _nodes.NewTable();

        var portZero = table.Heard(new NodeInfo(_nodes.IdWithPrefix(0), NetEndPoint.FromIPv4(0x0A000001, 0)), true, T0);
        var anyAddress = table.Heard(new NodeInfo(_nodes.IdWithPrefix(0), NetEndPoint.FromIPv4(0, 6881)), true, T0);

        Assert.Equal(InsertOutcome.Rejected, portZero.Outcome);
        Assert.Equal(InsertOutcome.Rejected, anyAddress.Outcome);
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void Heard_KnownIdAtNewAddress_WhenContactGood_ReturnsRejectedAndKeepsOldAddress()
    {
        var table = _nodes.NewTable();
        var node = _nodes.AnyNode();
        table.Heard(node, isResponse: true, T0);

        var moved = node with { EndPoint = _nodes.NextEndPoint() };
        var result = table.Heard(moved, isResponse: true, T0 + TimeSpan.FromSeconds(1));

        Assert.Equal(InsertOutcome.Rejected, result.Outcome);
        Assert.True(table.TryGet(node.Id, out var contact));
        Assert.Equal(node.EndPoint, contact.EndPoint);
        Assert.Equal(T0, contact.LastSeen);
    }

    [Fact]
    public void Heard_KnownIdAtNewAddress_WhenContactQuestionable_ReturnsRejected()
    {
        var table = _nodes.NewTable();
        var node = _nodes.AnyNode();
        table.Heard(node, isResponse: true, T0);
        table.Failed(node, T0);

        var result = table.Heard(node with { EndPoint = _nodes.NextEndPoint() }, isResponse: true, T0);

        Assert.Equal(InsertOutcome.Rejected, result.Outcome);
        Assert.True(table.TryGet(node.Id, out var contact));
        Assert.Equal(node.EndPoint, contact.EndPoint);
    }

    [Fact]
    public void Heard_KnownIdAtNewAddress_WhenContactBad_MovesItAndForgetsItsHistory()
    {
        var table = _nodes.NewTable();
        var node = _nodes.AnyNode();
        table.Heard(node, isResponse: true, T0);
        table.Failed(node, T0);
        table.Failed(node, T0);
        var later = T0 + TimeSpan.FromMinutes(1);

        var moved = node with { EndPoint = _nodes.NextEndPoint() };
        var result = table.Heard(moved, isResponse: false, later);

        Assert.Equal(InsertOutcome.Updated, result.Outcome);
        Assert.True(table.TryGet(node.Id, out var contact));
        Assert.Equal(moved.EndPoint, contact.EndPoint);
        Assert.Equal(0, contact.FailedQueries);
        Assert.Null(contact.LastResponse);
        Assert.Equal(ContactState.Questionable, contact.State(later, table.Options));

        // The old address is free for another node.
        var other = new NodeInfo(_nodes.IdWithPrefix(0), node.EndPoint);
        Assert.Equal(InsertOutcome.Inserted, table.Heard(other, isResponse: true, later).Outcome);
    }

    [Fact]
    public void Heard_KnownAddressUnderNewId_WhenOldContactGood_ReturnsRejected()
    {
        var table = _nodes.NewTable();
        var node = _nodes.AnyNode();
        table.Heard(node, isResponse: true, T0);

        var impostor = new NodeInfo(_nodes.IdWithPrefix(3), node.EndPoint);
        var result = table.Heard(impostor, isResponse: true, T0);

        Assert.Equal(InsertOutcome.Rejected, result.Outcome);
        Assert.True(table.TryGet(node.Id, out _));
        Assert.False(table.TryGet(impostor.Id, out _));
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void Heard_KnownAddressUnderNewId_WhenOldContactNotGood_ReplacesIt()
    {
        var table = _nodes.NewTable();
        var node = _nodes.AnyNode();
        table.Heard(node, isResponse: false, T0);

        var restarted = new NodeInfo(_nodes.IdWithPrefix(3), node.EndPoint);
        var result = table.Heard(restarted, isResponse: true, T0);

        Assert.Equal(InsertOutcome.Inserted, result.Outcome);
        Assert.False(table.TryGet(node.Id, out _));
        Assert.True(table.TryGet(restarted.Id, out var contact));
        Assert.Equal(node.EndPoint, contact.EndPoint);
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void Heard_QueryUnderNewIdFromTheAddressOfAQuestionableContact_IsRejected_UntilThatContactIsBad()
    {
        var table = _nodes.NewTable();
        var node = _nodes.AnyNode();
        table.Heard(node, isResponse: false, T0);

        var churned = new NodeInfo(_nodes.IdWithPrefix(3), node.EndPoint);
        Assert.Equal(InsertOutcome.Rejected, table.Heard(churned, isResponse: false, T0).Outcome);
        Assert.True(table.TryGet(node.Id, out _));

        for (int i = 0; i < 5 && table.TryGet(node.Id, out var contact) && contact.State(T0, table.Options) != ContactState.Bad; i++)
        {
            table.Failed(node, T0);
        }

        Assert.Equal(InsertOutcome.Inserted, table.Heard(churned, isResponse: false, T0).Outcome);
        Assert.False(table.TryGet(node.Id, out _));
    }

    [Fact]
    public void Heard_WhenOwnBucketFull_SplitsItAndKeepsAllContacts()
    {
        var table = _nodes.NewTable();
        var far = _nodes.Fill(table, 0, 4, isResponse: true, T0);
        var near = _nodes.Fill(table, 1, 4, isResponse: true, T0);
        Assert.Equal(1, table.BucketCount);

        var newcomer = _nodes.WithPrefix(2);
        var result = table.Heard(newcomer, isResponse: true, T0);

        Assert.Equal(InsertOutcome.Inserted, result.Outcome);
        Assert.Equal(2, table.BucketCount);
        Assert.Equal(9, table.Count);
        var buckets = table.Snapshot(T0);
        Assert.Equal(4, buckets[0].Count);
        Assert.Equal(5, buckets[1].Count);
        Assert.All(far, n => Assert.Equal(0, table.BucketIndexOf(n.Id)));
        Assert.All(near.Append(newcomer), n => Assert.Equal(1, table.BucketIndexOf(n.Id)));
        AssertEveryContactInItsBucketRange(table);
    }

    [Fact]
    public void Heard_WhenSplitLeavesEveryContactOnOneSide_SplitsAgain()
    {
        var table = _nodes.NewTable();
        var deep = _nodes.Fill(table, 3, 8, isResponse: true, T0);

        var newcomer = _nodes.WithPrefix(5);
        var result = table.Heard(newcomer, isResponse: true, T0);

        Assert.Equal(InsertOutcome.Inserted, result.Outcome);
        Assert.Equal(5, table.BucketCount);
        var buckets = table.Snapshot(T0);
        Assert.Equal([0, 0, 0, 8, 1], buckets.Select(b => b.Count));
        Assert.All(deep, n => Assert.Equal(3, table.BucketIndexOf(n.Id)));
        Assert.Equal(4, table.BucketIndexOf(newcomer.Id));
        AssertEveryContactInItsBucketRange(table);
    }

    [Fact]
    public void Heard_WhenFullBucketDoesNotCoverOwnId_DoesNotSplitIt()
    {
        var table = _nodes.NewTable();
        _nodes.FillFarBucket(table, isResponse: true, T0);

        var result = table.Heard(_nodes.WithPrefix(0), isResponse: true, T0);

        Assert.Equal(InsertOutcome.Full, result.Outcome);
        Assert.Equal(2, table.BucketCount);
        Assert.Equal(9, table.Count);
    }

    [Fact]
    public void Heard_OneNodePerPrefixLength_SplitsIntoAtMost160Buckets()
    {
        var table = _nodes.NewTable(new RoutingTableOptions { BucketSize = 1 });
        for (int prefix = 0; prefix < NodeId.Bits; prefix++)
        {
            Assert.Equal(InsertOutcome.Inserted, table.Heard(_nodes.WithPrefix(prefix), isResponse: true, T0).Outcome);
        }

        Assert.Equal(NodeId.Bits, table.BucketCount);
        Assert.Equal(NodeId.Bits, table.Count);

        var result = table.Heard(_nodes.WithPrefix(158), isResponse: true, T0);

        Assert.Equal(InsertOutcome.Full, result.Outcome);
        Assert.Equal(NodeId.Bits, table.BucketCount);
        AssertEveryContactInItsBucketRange(table);
    }

    [Fact]
    public void Snapshot_ReportsRangesAndStateCounts()
    {
        var table = _nodes.NewTable();
        var far = _nodes.Fill(table, 0, 3, isResponse: true, T0);
        _nodes.Fill(table, 0, 2, isResponse: false, T0);
        _nodes.Fill(table, 1, 3, isResponse: true, T0);
        _nodes.Fill(table, 2, 1, isResponse: true, T0); // splits: bucket 0 = prefix 0, bucket 1 = everything deeper
        table.Failed(far[0], T0);
        table.Failed(far[0], T0);
        table.Heard(_nodes.WithPrefix(0), isResponse: true, T0); // room left: the bad contact stays
        var buckets = table.Snapshot(T0);

        Assert.Equal(2, buckets.Count);
        Assert.Equal(new BucketSnapshot(0, buckets[0].Prefix, 1, false, 6, 3, 2, 1, 0, T0), buckets[0]);
        Assert.Equal(new BucketSnapshot(1, buckets[1].Prefix, 1, true, 4, 4, 0, 0, 0, T0), buckets[1]);
        Assert.NotEqual(_nodes.LocalId.GetBit(0), buckets[0].Prefix.GetBit(0));
        Assert.Equal(_nodes.LocalId.GetBit(0), buckets[1].Prefix.GetBit(0));
        Assert.False(buckets[0].Covers(_nodes.LocalId));
        Assert.True(buckets[1].Covers(_nodes.LocalId));
    }

    [Fact]
    public void Snapshot_BucketRangesPartitionTheKeyspace()
    {
        var table = _nodes.NewTable();
        for (int i = 0; i < 400; i++)
        {
            table.Heard(_nodes.AnyNode(), isResponse: true, T0);
            table.Heard(_nodes.WithPrefix(_nodes.Random.Next(0, 24)), isResponse: true, T0);
        }

        var buckets = table.Snapshot(T0);
        Assert.True(table.BucketCount > 10, $"seed {_nodes.Seed}: only {table.BucketCount} buckets");
        for (int i = 0; i < 2000; i++)
        {
            var id = i % 2 == 0 ? NodeId.CreateRandom(_nodes.Random) : _nodes.IdWithPrefix(_nodes.Random.Next(0, NodeId.Bits));
            var covering = buckets.Where(b => b.Covers(id)).Select(b => b.Index).ToList();
            Assert.Equal([table.BucketIndexOf(id)], covering);
        }

        AssertEveryContactInItsBucketRange(table);
    }

    internal static void AssertEveryContactInItsBucketRange(RoutingTable table)
    {
        var buckets = table.Snapshot(RoutingTestNodes.T0);
        int previous = 0;
        foreach (var contact in table.Contacts)
        {
            int index = table.BucketIndexOf(contact.Id);
            Assert.True(index >= previous, "contacts are enumerated bucket by bucket");
            Assert.True(buckets[index].Covers(contact.Id), $"{contact} is outside bucket {index}");
            if (index < table.BucketCount - 1)
            {
                Assert.Equal(index, table.LocalId.CommonPrefixLength(contact.Id));
            }

            previous = index;
        }

        Assert.Equal(table.Count, buckets.Sum(b => b.Count));
        Assert.All(buckets, b => Assert.InRange(b.Count, 0, table.Options.BucketSize));
    }
}
