// ClosestNodesLookup and time: soft timeouts free a slot, hard timeouts fail a node, and how long a lookup
// short of k answers waits for the silent.
using Dht.Lookups;
using Dht.Protocol;
using static Dht.Tests.Lookups.LookupTestNodes;

namespace Dht.Tests.Lookups;

public sealed partial class ClosestNodesLookupTests
{
    [Fact]
    public void Next_AfterSoftTimeout_FreesTheSlotAndALateAnswerIsStillUsed()
    {
        var lookup = Create(1, 2, 3, 4);
        DrainQueries(lookup, T0, out _);

        Assert.Equal(LookupStepKind.Waiting, lookup.Next(Ms(499)).Kind);
        Assert.Equal(Node(4), ExpectQuery(lookup, Ms(500)));
        Assert.Equal(LookupNodeState.Unresponsive, lookup.StateOf(Id(1)));
        Assert.Equal(1, lookup.InFlight);

        Assert.True(lookup.OnResponse(Node(1), Nodes(7), Ms(900)));

        Assert.Equal(LookupNodeState.Succeeded, lookup.StateOf(Id(1)));
        Assert.Equal(LookupNodeState.NotContacted, lookup.StateOf(Id(7)));
        Assert.Equal(1, lookup.Responses);
        Assert.Equal([Node(1)], lookup.Results);
    }

    [Fact]
    public void Next_ShortOfKAnswers_WaitsForASilentNodeUntilItsHardTimeout()
    {
        var lookup = Create(1);
        ExpectQuery(lookup, T0);

        var wait = lookup.Next(Ms(500));
        Assert.Equal(LookupStepKind.Waiting, wait.Kind);
        Assert.Equal(Ms(2000), wait.WakeAt);
        Assert.Equal(LookupNodeState.Unresponsive, lookup.StateOf(Id(1)));
        Assert.Equal(0, lookup.InFlight);

        Assert.Equal(LookupStepKind.Finished, lookup.Next(Ms(2000)).Kind);
        Assert.False(lookup.OnResponse(Node(1), [], Ms(2000)));
        Assert.Empty(lookup.Results);
    }

    [Fact]
    public void Next_ShortOfKAnswers_WhenMoreAnsweredThanFellSilent_EndsAGraceAfterTheSoftTimeoutNotAtTheHardTimeout()
    {
        // A network of four nodes, one of which has left: the three that answer make the result the small
        // network's grace after the silent node's soft timeout, as a newcomer to a small network with a departed
        // node in it needs; within the grace a node that was only paused still makes it.
        var lookup = Create(new LookupOptions { Alpha = 4 }, 1, 2, 3, 4);
        DrainQueries(lookup, T0, out _);
        lookup.OnResponse(Node(2), [], Ms(1));
        lookup.OnResponse(Node(3), [], Ms(1));
        lookup.OnResponse(Node(4), [], Ms(1));

        var wait = lookup.Next(Ms(500));
        Assert.Equal(LookupStepKind.Waiting, wait.Kind);
        Assert.Equal(Ms(550), wait.WakeAt);
        Assert.Equal(Ms(550), lookup.WakeDeadline);
        Assert.Equal(LookupStepKind.Finished, lookup.Next(Ms(550)).Kind);
        Assert.Equal(Nodes(2, 3, 4), lookup.Results);
    }

    [Fact]
    public void Next_ShortOfKAnswers_ANodeThatAnswersWithinTheGrace_MakesTheResult()
    {
        var lookup = Create(new LookupOptions { Alpha = 4 }, 1, 2, 3, 4);
        DrainQueries(lookup, T0, out _);
        lookup.OnResponse(Node(2), [], Ms(1));
        lookup.OnResponse(Node(3), [], Ms(1));
        lookup.OnResponse(Node(4), [], Ms(1));
        Assert.Equal(LookupStepKind.Waiting, lookup.Next(Ms(500)).Kind);

        Assert.True(lookup.OnResponse(Node(1), [], Ms(530)));

        Assert.Equal(LookupStepKind.Finished, lookup.Next(Ms(530)).Kind);
        Assert.Equal(Nodes(1, 2, 3, 4), lookup.Results);
    }

    [Fact]
    public void Next_WithKAnswers_ASilentNodeGetsNoGrace()
    {
        var lookup = Create(new LookupOptions { K = 2, Alpha = 3 }, 1, 2, 3);
        DrainQueries(lookup, T0, out _);
        lookup.OnResponse(Node(2), [], Ms(1));
        lookup.OnResponse(Node(3), [], Ms(1));

        Assert.Equal(LookupStepKind.Finished, lookup.Next(Ms(500)).Kind);
        Assert.Equal(DateTimeOffset.MaxValue, lookup.WakeDeadline);
        Assert.Equal(Nodes(2, 3), lookup.Results);
    }

    [Fact]
    public void Next_ShortOfKAnswers_WhenAsManyFellSilentAsAnswered_WaitsForTheHardTimeout()
    {
        var lookup = Create(1, 2);
        DrainQueries(lookup, T0, out _);
        lookup.OnResponse(Node(2), [], Ms(1));

        var wait = lookup.Next(Ms(500));
        Assert.Equal(LookupStepKind.Waiting, wait.Kind);
        Assert.Equal(Ms(2000), wait.WakeAt);
    }

    [Fact]
    public void Next_ShortOfKAnswers_TakesALateAnswerAndGoesOnFromIt()
    {
        var lookup = Create(new LookupOptions { K = 2 }, 5);
        ExpectQuery(lookup, T0);
        Assert.Equal(LookupStepKind.Waiting, lookup.Next(Ms(500)).Kind);

        Assert.True(lookup.OnResponse(Node(5), Nodes(3), Ms(1200)));

        Assert.Equal(Node(3), ExpectQuery(lookup, Ms(1200)));
        lookup.OnResponse(Node(3), [], Ms(1210));
        Assert.Equal(LookupStepKind.Finished, lookup.Next(Ms(1210)).Kind);
        Assert.Equal(Nodes(3, 5), lookup.Results);
    }

    [Fact]
    public void OnResponse_AfterTheHardTimeout_IsRefusedAndCountsAsAFailure()
    {
        var lookup = Create(new LookupOptions { K = 1, Alpha = 1 }, 1, 2);
        ExpectQuery(lookup, T0);
        Assert.Equal(Node(2), ExpectQuery(lookup, Ms(500)));

        Assert.False(lookup.OnResponse(Node(1), [], Ms(2000)));

        Assert.Equal(LookupNodeState.Failed, lookup.StateOf(Id(1)));
        Assert.Equal(1, lookup.Failures);
        Assert.Equal(Ms(2500), lookup.Next(Ms(2000)).WakeAt); // node 2 fell silent too: nobody answered, so wait for it
        Assert.Equal(LookupStepKind.Finished, lookup.Next(Ms(2500)).Kind);
        Assert.Empty(lookup.Results);
    }

    [Fact]
    public void OnResponse_AtTheHardTimeout_FailsTheNodeEvenBeforeNextHasRun()
    {
        var lookup = Create(1, 2);
        DrainQueries(lookup, T0, out _);

        Assert.False(lookup.OnResponse(Node(1), Nodes(3), Ms(2000)));

        Assert.Equal(LookupNodeState.Failed, lookup.StateOf(Id(1)));
        Assert.Null(lookup.StateOf(Id(3)));
        Assert.Equal(1, lookup.Failures);
    }
}
