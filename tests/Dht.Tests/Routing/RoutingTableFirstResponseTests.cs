using Dht.Routing;
using static Dht.Tests.Routing.RoutingTestNodes;

namespace Dht.Tests.Routing;

/// <summary>When a contact counts as verified for the first time, and which nodes heard of are worth asking.</summary>
public sealed class RoutingTableFirstResponseTests
{
    private readonly RoutingTestNodes _nodes = new(seed: 11);

    [Fact]
    public void ANodeThatOnlyQueried_IsNotVerified_UntilItsFirstAnswer_AndOnlyThatAnswerSaysSo()
    {
        var table = _nodes.NewTable();
        var node = _nodes.AnyNode();

        Assert.False(table.Heard(node, isResponse: false, T0).FirstResponse);
        Assert.False(table.Heard(node, isResponse: false, T0 + TimeSpan.FromSeconds(1)).FirstResponse);
        Assert.True(table.Heard(node, isResponse: true, T0 + TimeSpan.FromSeconds(2)).FirstResponse);
        Assert.False(table.Heard(node, isResponse: true, T0 + TimeSpan.FromSeconds(3)).FirstResponse);
    }

    [Fact]
    public void ANodeThatWaitsInTheReplacementCache_IsNotVerifiedByItsAnswer()
    {
        var table = _nodes.NewTable(new RoutingTableOptions { BucketSize = 2 });
        for (int i = 0; i < 2; i++)
        {
            table.Heard(_nodes.WithPrefix(0), isResponse: true, T0);
        }

        // Bucket 0 cannot split (it does not hold our id once bucket 1 exists) and is full of good contacts.
        table.Heard(_nodes.WithPrefix(1), isResponse: true, T0);
        table.Heard(_nodes.WithPrefix(1), isResponse: true, T0);
        table.Heard(_nodes.WithPrefix(2), isResponse: true, T0);
        var waiting = _nodes.WithPrefix(0);

        var result = table.Heard(waiting, isResponse: true, T0);

        Assert.Equal(InsertOutcome.Full, result.Outcome);
        Assert.False(result.FirstResponse);
    }

    [Fact]
    public void WouldInsert_OnlyUnknownNodesWhoseBucketHasRoom()
    {
        var table = _nodes.NewTable(new RoutingTableOptions { BucketSize = 2 });
        var known = _nodes.WithPrefix(0);
        table.Heard(known, isResponse: true, T0);
        Assert.False(table.WouldInsert(known));
        Assert.False(table.WouldInsert(new(_nodes.IdWithPrefix(0), known.EndPoint))); // its address is taken
        Assert.False(table.WouldInsert(new(_nodes.LocalId, _nodes.NextEndPoint())));
        Assert.True(table.WouldInsert(_nodes.WithPrefix(0)));

        table.Heard(_nodes.WithPrefix(0), isResponse: true, T0);
        table.Heard(_nodes.WithPrefix(3), isResponse: true, T0); // splits: bucket 0 no longer holds our id
        Assert.False(table.WouldInsert(_nodes.WithPrefix(0)));   // full, and cannot split
        Assert.True(table.WouldInsert(_nodes.WithPrefix(5)));    // the last bucket may split
    }
}
