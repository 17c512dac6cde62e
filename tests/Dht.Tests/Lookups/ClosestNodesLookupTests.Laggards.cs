// ClosestNodesLookup for a write: a laggard, a node overtaken by α answers to queries sent no earlier than it (or
// silent twice as long as the slowest answer), stops holding the lookup when it knows more than k nodes, and keeps
// its place among the k; a read waits for it.
using Dht.Lookups;
using Dht.Protocol;
using static Dht.Tests.Lookups.LookupTestNodes;

namespace Dht.Tests.Lookups;

public sealed partial class ClosestNodesLookupTests
{
    private static readonly LookupOptions TwoOfTwo = new() { K = 2, Alpha = 2 };

    // Node 1 is asked with node 2 at T0; node 2 answers, node 3 is asked and answers: two answers to queries sent no
    // earlier than node 1's have overtaken it, and two nodes have answered in all.
    private static ClosestNodesLookup OvertakeNodeOne(LookupPurpose purpose)
    {
        var lookup = new ClosestNodesLookup(NodeId.Zero, Nodes(1, 2, 3, 4), TwoOfTwo, purpose: purpose);
        Assert.Equal(Nodes(1, 2), DrainQueries(lookup, T0, out _));
        lookup.OnResponse(Node(2), [], Ms(1));
        Assert.Equal(Node(3), ExpectQuery(lookup, Ms(1)));
        lookup.OnResponse(Node(3), [], Ms(2));
        return lookup;
    }

    [Fact]
    public void Write_ALaggardAmongTheKClosest_DoesNotHoldTheLookupOnceAlphaLaterQueriesHaveAnswered()
    {
        var lookup = OvertakeNodeOne(LookupPurpose.Write);

        Assert.Equal(LookupStepKind.Finished, lookup.Next(Ms(2)).Kind);
        Assert.Equal(Nodes(2, 3), lookup.Results);
        Assert.Equal([Node(1)], lookup.Laggards); // it keeps its place: node 3 stands in only if it falls silent
        Assert.Equal(1, lookup.AnsweredPlaces);
        Assert.Equal(LookupNodeState.Waiting, lookup.StateOf(Id(1)));
    }

    [Fact]
    public void Read_WaitsForTheSameNodeUntilItsSoftTimeout()
    {
        var lookup = OvertakeNodeOne(LookupPurpose.Read);

        var wait = lookup.Next(Ms(2));
        Assert.Equal(LookupStepKind.Waiting, wait.Kind);
        Assert.Equal(Ms(500), wait.WakeAt);
        Assert.True(lookup.OnResponse(Node(1), [], Ms(300)));
        Assert.Equal(LookupStepKind.Finished, lookup.Next(Ms(300)).Kind);
        Assert.Equal(Nodes(1, 2), lookup.Results);
        Assert.Empty(lookup.Laggards);
    }

    [Fact]
    public void Write_ANodeOvertakenByFewerThanAlphaAnswers_StillHoldsTheLookup()
    {
        // Node 2 was asked alongside node 1 and has answered: one answer overtakes node 1, and α is 2.
        var lookup = new ClosestNodesLookup(NodeId.Zero, Nodes(1, 2, 3), new LookupOptions { K = 1, Alpha = 2 }, purpose: LookupPurpose.Write);
        Assert.Equal(Nodes(1, 2), DrainQueries(lookup, T0, out _));
        lookup.OnResponse(Node(2), [], Ms(1));

        var wait = lookup.Next(Ms(1));
        Assert.Equal(LookupStepKind.Waiting, wait.Kind);
        Assert.Empty(lookup.Laggards);
    }

    [Fact]
    public void Write_AnswersToQueriesSentBeforeTheNode_DoNotMakeItALaggard()
    {
        // Nodes 2 and 3 were asked before node 1 was learned of and asked; their answers say nothing of node 1.
        var lookup = new ClosestNodesLookup(NodeId.Zero, Nodes(2, 3, 4), new LookupOptions { K = 2, Alpha = 2, Spares = 0 }, purpose: LookupPurpose.Write);
        Assert.Equal(Nodes(2, 3), DrainQueries(lookup, T0, out _));
        lookup.OnResponse(Node(2), Nodes(1), Ms(1));
        Assert.Equal(Node(1), ExpectQuery(lookup, Ms(1)));
        lookup.OnResponse(Node(3), [], Ms(2));

        Assert.Equal(LookupStepKind.Waiting, lookup.Next(Ms(2)).Kind);
        Assert.True(lookup.OnResponse(Node(1), [], Ms(3)));
        Assert.Equal(LookupStepKind.Finished, lookup.Next(Ms(3)).Kind);
        Assert.Equal(Nodes(1, 2), lookup.Results);
    }

    [Fact]
    public void Write_ShortOfKAnswers_PassesALaggardAndAsksTheNextNode_WhichStandsInForIt()
    {
        var lookup = new ClosestNodesLookup(NodeId.Zero, Nodes(1, 2, 3, 4, 5), new LookupOptions { K = 3, Alpha = 2, Spares = 0 }, purpose: LookupPurpose.Write);
        Assert.Equal(Nodes(1, 2), DrainQueries(lookup, T0, out _));
        lookup.OnResponse(Node(2), [], Ms(1));
        Assert.Equal(Node(3), ExpectQuery(lookup, Ms(1)));
        lookup.OnResponse(Node(3), [], Ms(2));

        Assert.Equal(Node(4), ExpectQuery(lookup, Ms(2))); // node 1 lags: the next node is asked as if it had timed out
        lookup.OnResponse(Node(4), [], Ms(3));

        Assert.Equal(LookupStepKind.Finished, lookup.Next(Ms(3)).Kind);
        Assert.Equal(Nodes(2, 3, 4), lookup.Results);
        Assert.Equal([Node(1)], lookup.Laggards);
        Assert.Equal(2, lookup.AnsweredPlaces); // nodes 2 and 3 are written at once; node 4 stands in if node 1 falls silent
    }

    [Fact]
    public void Write_InANetworkOfKNodesOrFewer_WaitsForALaggardAsAReadDoes()
    {
        // Three nodes and k = 3: every node is one of the few holders, so none is left out for lagging.
        var lookup = new ClosestNodesLookup(NodeId.Zero, Nodes(1, 2, 3), new LookupOptions { K = 3, Alpha = 2 }, purpose: LookupPurpose.Write);
        Assert.Equal(Nodes(1, 2), DrainQueries(lookup, T0, out _));
        lookup.OnResponse(Node(2), [], Ms(1));
        Assert.Equal(Node(3), ExpectQuery(lookup, Ms(1)));
        lookup.OnResponse(Node(3), [], Ms(2));

        Assert.Equal(LookupStepKind.Waiting, lookup.Next(Ms(2)).Kind);
        Assert.True(lookup.OnResponse(Node(1), [], Ms(40)));
        Assert.Equal(LookupStepKind.Finished, lookup.Next(Ms(40)).Kind);
        Assert.Equal(Nodes(1, 2, 3), lookup.Results);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ANodeAskedLast_LagsForAWriteOnceSilentTwiceAsLongAsTheSlowestAnswer(bool write)
    {
        var purpose = write ? LookupPurpose.Write : LookupPurpose.Read;
        // Nodes 2 and 3 answer in 1 and 2 ms; node 1, learned from node 2 and asked at 1 ms, is overtaken by nobody.
        var lookup = new ClosestNodesLookup(NodeId.Zero, Nodes(2, 3, 4), new LookupOptions { K = 2, Alpha = 2, Spares = 0 }, purpose: purpose);
        Assert.Equal(Nodes(2, 3), DrainQueries(lookup, T0, out _));
        lookup.OnResponse(Node(2), Nodes(1), Ms(1));
        Assert.Equal(Node(1), ExpectQuery(lookup, Ms(1)));
        lookup.OnResponse(Node(3), [], Ms(2));
        Assert.Equal(LookupStepKind.Waiting, lookup.Next(Ms(2)).Kind);

        if (purpose == LookupPurpose.Read)
        {
            Assert.Equal(DateTimeOffset.MaxValue, lookup.WakeDeadline);
            Assert.Equal(LookupStepKind.Waiting, lookup.Next(Ms(5)).Kind); // until its soft timeout
            return;
        }

        Assert.Equal(Ms(5), lookup.WakeDeadline); // asked at 1 ms, plus twice the slowest answer (2 ms)
        Assert.Equal(LookupStepKind.Waiting, lookup.Next(Ms(4)).Kind);
        Assert.Equal(LookupStepKind.Finished, lookup.Next(Ms(5)).Kind);
        Assert.Equal(Nodes(2, 3), lookup.Results);
        Assert.Equal([Node(1)], lookup.Laggards);
        Assert.Equal(1, lookup.AnsweredPlaces);
    }
}
