using Dht.Lookups;
using Dht.Protocol;
using static Dht.Tests.Lookups.LookupTestNodes;

namespace Dht.Tests.Lookups;

/// <summary>
/// Lookups that seek only some of the nodes they pass through (named values: the nodes that serve the extension),
/// asking a node a second query before it settles.
/// </summary>
public sealed class ClosestNodesLookupSoughtNodesTests
{
    [Fact]
    public void OnResponse_ThatDoesNotCount_TakesItsNodesAndGoesOnToTheKClosestThatCount()
    {
        var lookup = new ClosestNodesLookup(NodeId.Zero, Nodes(1), new LookupOptions { K = 1, Alpha = 1 });
        Assert.Equal(Node(1), lookup.Next(T0).Node);

        Assert.True(lookup.OnResponse(Node(1), Nodes(2), Ms(10), counts: false));

        Assert.Equal(LookupNodeState.Passed, lookup.StateOf(Id(1)));
        Assert.Equal(Node(2), lookup.Next(Ms(10)).Node);
        Assert.True(lookup.OnResponse(Node(2), [], Ms(20)));
        Assert.Equal(LookupStepKind.Finished, lookup.Next(Ms(20)).Kind);
        Assert.Equal([Node(2)], lookup.Results);
        Assert.Equal(2, lookup.Responses);
        Assert.Equal(1, lookup.CountedResponses);
    }

    [Fact]
    public void Requery_RestartsTheNodesTimeouts_SoItsSecondAnswerIsTakenPastTheFirstHardTimeout()
    {
        var lookup = new ClosestNodesLookup(NodeId.Zero, Nodes(1, 2), new LookupOptions { K = 1, Alpha = 1 });
        Assert.Equal(Node(1), lookup.Next(T0).Node);

        Assert.True(lookup.Requery(Node(1), Ms(400)));

        var step = lookup.Next(Ms(800));
        Assert.Equal(LookupStepKind.Waiting, step.Kind);
        Assert.Equal(Ms(900), step.WakeAt);
        Assert.True(lookup.OnResponse(Node(1), [], Ms(2200)));
        Assert.Equal(LookupNodeState.Succeeded, lookup.StateOf(Id(1)));
        Assert.Equal([Node(1)], lookup.Results);
    }

    [Fact]
    public void Requery_OfANodeNotPending_ChangesNothing()
    {
        var lookup = new ClosestNodesLookup(NodeId.Zero, Nodes(1, 2), new LookupOptions { K = 1, Alpha = 1 });
        Assert.Equal(Node(1), lookup.Next(T0).Node);
        Assert.True(lookup.OnResponse(Node(1), [], Ms(10)));

        Assert.False(lookup.Requery(Node(1), Ms(20)));
        Assert.False(lookup.Requery(Node(2), Ms(20)));
        Assert.Equal(LookupNodeState.Succeeded, lookup.StateOf(Id(1)));
        Assert.Equal(0, lookup.InFlight);
    }
}
