using Dht.Protocol;
using Dht.Routing;

namespace Dht.Tests.Routing;

public sealed class RoutingTableFindClosestTests
{
    private static readonly DateTimeOffset T0 = RoutingTestNodes.T0;

    public static TheoryData<int> Seeds => [1, 2, 3, 5, 8, 13, 21, 34, 55, 89];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void FindClosest_OnRandomTables_MatchesBruteForce(int seed)
    {
        var nodes = new RoutingTestNodes(seed);
        var table = BuildRandomTable(nodes, out var bad);
        Assert.True(bad > 0, $"seed {seed}: the table should hold bad contacts");
        var targets = new List<NodeId> { nodes.LocalId };
        targets.AddRange(table.Contacts.Take(5).Select(c => c.Id));
        for (int i = 0; i < 100; i++)
        {
            targets.Add(NodeId.CreateRandom(nodes.Random));
            targets.Add(nodes.IdWithPrefix(nodes.Random.Next(0, 40)));
        }

        var actual = new List<NodeInfo>();
        foreach (var target in targets)
        {
            foreach (int count in new[] { 1, 3, 8, 20, 10_000 })
            {
                var expected = Check(target, count, excluded: null);

                // Leaving out the closest (as an answer leaves out its querier) brings in the next one.
                if (expected.Count > 0)
                {
                    Check(target, count, expected[0].Id);
                }
            }
        }

        // Brute force over the table: the contacts that are not bad, nor excluded, closest first.
        List<NodeInfo> Check(NodeId target, int count, NodeId? excluded)
        {
            table.FindClosest(target, count, actual, excluded);
            var expected = table.Contacts
                .Where(c => c.State(T0, table.Options) != ContactState.Bad && c.Id != excluded)
                .Select(c => c.Node)
                .OrderBy(n => n.Id ^ target)
                .Take(count)
                .ToList();
            if (!expected.SequenceEqual(actual))
            {
                Assert.Fail($"seed {seed}, target {target}, count {count}, without {excluded?.ToString() ?? "none"}: expected [{string.Join(", ", expected)}] but got [{string.Join(", ", actual)}]");
            }

            return expected;
        }
    }

    [Fact]
    public void FindClosest_ReturnsClosestFirstAndReplacesTheListContents()
    {
        var nodes = new RoutingTestNodes(3);
        var table = nodes.NewTable();
        var inserted = nodes.Fill(table, 0, 4, isResponse: true, T0);
        inserted.AddRange(nodes.Fill(table, 5, 4, isResponse: true, T0));
        var target = inserted[2].Id;
        var into = new List<NodeInfo> { nodes.AnyNode(), nodes.AnyNode() };

        table.FindClosest(target, 3, into);

        Assert.Equal(3, into.Count);
        Assert.Equal(inserted[2], into[0]);
        Assert.True(into.Zip(into.Skip(1)).All(p => target.CompareDistance(p.First.Id, p.Second.Id) < 0));
    }

    [Fact]
    public void FindClosest_OnEmptyTableOrZeroCount_ReturnsNothing()
    {
        var nodes = new RoutingTestNodes(4);
        var table = nodes.NewTable();
        var into = new List<NodeInfo> { nodes.AnyNode() };

        table.FindClosest(NodeId.Zero, 8, into);
        Assert.Empty(into);

        table.Heard(nodes.AnyNode(), isResponse: true, T0);
        table.FindClosest(NodeId.Zero, 0, into);
        Assert.Empty(into);
    }

    [Fact]
    public void FindClosest_IncludesQuestionableContactsButNotBadOnes()
    {
        var nodes = new RoutingTestNodes(5);
        var table = nodes.NewTable();
        var questionable = nodes.WithPrefix(2);
        var bad = nodes.WithPrefix(2);
        table.Heard(questionable, isResponse: false, T0);
        table.Heard(bad, isResponse: true, T0);
        table.Failed(bad, T0);
        table.Failed(bad, T0);
        var into = new List<NodeInfo>();

        table.FindClosest(bad.Id, 8, into);

        Assert.Equal([questionable], into);
    }

    [Fact]
    public void FindClosest_OnceListsHaveGrown_AllocatesNothing()
    {
        var nodes = new RoutingTestNodes(6);
        var table = BuildRandomTable(nodes, out _);
        var targets = Enumerable.Range(0, 64).Select(_ => NodeId.CreateRandom(nodes.Random)).ToArray();
        var into = new List<NodeInfo>(table.Count);
        for (int round = 0; round < 3; round++)
        {
            foreach (var target in targets)
            {
                table.FindClosest(target, 8, into);
                table.FindClosest(target, table.Count, into);
            }
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var target in targets)
        {
            table.FindClosest(target, 8, into);
            table.FindClosest(target, table.Count, into);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    /// <summary>
    /// A table a few hundred contacts deep: random nodes and nodes near the local id (so that many buckets
    /// split off), some of them questionable and some failed into bad.
    /// </summary>
    private static RoutingTable BuildRandomTable(RoutingTestNodes nodes, out int bad)
    {
        // A small replacement cache, so that failed contacts outlast the candidates that would swap them out.
        var table = nodes.NewTable(new RoutingTableOptions { ReplacementCacheSize = 1 });
        for (int i = 0; i < 600; i++)
        {
            var node = nodes.Random.Next(3) == 0 ? nodes.AnyNode() : nodes.WithPrefix(nodes.Random.Next(0, 30));
            table.Heard(node, isResponse: nodes.Random.Next(4) != 0, T0);
        }

        for (int round = 0; round < 3; round++)
        {
            foreach (var contact in table.Contacts.ToList())
            {
                if (nodes.Random.Next(6) == 0)
                {
                    table.Failed(contact.Node, T0);
                    table.Failed(contact.Node, T0);
                }
            }
        }

        bad = table.Contacts.Count(c => c.State(T0, table.Options) == ContactState.Bad);
        return table;
    }
}
