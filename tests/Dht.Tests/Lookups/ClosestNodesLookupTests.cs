using Dht.Lookups;
using Dht.Protocol;
using static Dht.Tests.Lookups.LookupTestNodes;

namespace Dht.Tests.Lookups;

public sealed partial class ClosestNodesLookupTests
{
    private static ClosestNodesLookup Create(LookupOptions options, params ulong[] seeds) =>
        new(NodeId.Zero, Nodes(seeds), options);

    private static ClosestNodesLookup Create(params ulong[] seeds) => Create(LookupOptions.Default, seeds);

    private static NodeInfo ExpectQuery(ClosestNodesLookup lookup, DateTimeOffset now)
    {
        var step = lookup.Next(now);
        Assert.Equal(LookupStepKind.Query, step.Kind);
        return step.Node;
    }

    private static List<NodeInfo> DrainQueries(ClosestNodesLookup lookup, DateTimeOffset now, out LookupStep last)
    {
        var sent = new List<NodeInfo>();
        while (true)
        {
            last = lookup.Next(now);
            if (last.Kind != LookupStepKind.Query)
            {
                return sent;
            }

            sent.Add(last.Node);
        }
    }

    [Fact]
    public void Next_QueriesSeedsClosestFirst_WithAtMostAlphaInFlight()
    {
        var lookup = Create(5, 1, 4, 2, 6, 3);

        var sent = DrainQueries(lookup, T0, out var last);

        Assert.Equal(Nodes(1, 2, 3), sent);
        Assert.Equal(LookupStepKind.Waiting, last.Kind);
        Assert.Equal(Ms(500), last.WakeAt);
        Assert.Equal(3, lookup.InFlight);
        Assert.Equal(3, lookup.QueriesSent);
    }

    [Fact]
    public void Next_AfterAnAnswer_SendsTheNextClosestIntoTheFreedSlot()
    {
        var lookup = Create(1, 2, 3, 4, 5);
        DrainQueries(lookup, T0, out _);

        Assert.True(lookup.OnResponse(Node(2), [], Ms(10)));

        Assert.Equal(Node(4), ExpectQuery(lookup, Ms(10)));
        Assert.Equal(LookupStepKind.Waiting, lookup.Next(Ms(10)).Kind);
    }

    [Fact]
    public void OnFailure_FailsTheNodeFreesItsSlotAndTheNextCandidateIsAsked()
    {
        var lookup = Create(new LookupOptions { Alpha = 1 }, 1, 2);
        ExpectQuery(lookup, T0);

        Assert.True(lookup.OnFailure(Node(1), Ms(5)));
        Assert.False(lookup.OnFailure(Node(1), Ms(6)));

        Assert.Equal(Node(2), ExpectQuery(lookup, Ms(6)));
        Assert.Equal(1, lookup.Failures);
    }

    [Fact]
    public void Next_WhenTheKClosestHaveAnswered_FinishesWhileFartherQueriesArePending()
    {
        var lookup = Create(new LookupOptions { K = 2 }, 1, 2, 3);
        DrainQueries(lookup, T0, out _);

        lookup.OnResponse(Node(1), [], Ms(10));
        lookup.OnResponse(Node(2), [], Ms(11));

        Assert.Equal(LookupStepKind.Finished, lookup.Next(Ms(11)).Kind);
        Assert.True(lookup.IsFinished);
        Assert.Equal(Nodes(1, 2), lookup.Results);
        Assert.False(lookup.OnResponse(Node(3), Nodes(0), Ms(12)));
        Assert.Equal(LookupStepKind.Finished, lookup.Next(Ms(12)).Kind);
        Assert.Equal(Nodes(1, 2), lookup.Results);
    }

    [Fact]
    public void Next_WhenNodesAmongTheKClosestFail_AsksTheNextAndFinishesWithTheKClosestThatAnswered()
    {
        var lookup = Create(new LookupOptions { K = 2, Alpha = 4, Spares = 0 }, 1, 2, 3, 4);

        // Two nodes promptly in flight already cover k, so nothing farther is asked yet.
        Assert.Equal(Nodes(1, 2), DrainQueries(lookup, T0, out _));
        lookup.OnFailure(Node(1), Ms(5));
        Assert.Equal([Node(3)], DrainQueries(lookup, Ms(5), out _));
        lookup.OnResponse(Node(3), [], Ms(6));
        Assert.Equal(LookupStepKind.Waiting, lookup.Next(Ms(6)).Kind);
        lookup.OnFailure(Node(2), Ms(8));
        Assert.Equal([Node(4)], DrainQueries(lookup, Ms(8), out _));
        lookup.OnResponse(Node(4), [], Ms(9));

        Assert.Equal(LookupStepKind.Finished, lookup.Next(Ms(9)).Kind);
        Assert.Equal(Nodes(3, 4), lookup.Results);
        Assert.Equal(2, lookup.Failures);
    }

    [Fact]
    public void Next_WhenASilentNodeAmongTheKClosestPassesItsSoftTimeout_FinishesWithTheKClosestThatAnswered()
    {
        var lookup = Create(new LookupOptions { K = 2, Alpha = 2 }, 1, 2, 3);
        DrainQueries(lookup, T0, out _);
        lookup.OnResponse(Node(2), [], Ms(10));

        Assert.Equal(Node(3), ExpectQuery(lookup, Ms(500)));
        lookup.OnResponse(Node(3), [], Ms(520));

        Assert.Equal(LookupStepKind.Finished, lookup.Next(Ms(520)).Kind);
        Assert.Equal(Nodes(2, 3), lookup.Results);
        Assert.Equal(LookupNodeState.Unresponsive, lookup.StateOf(Id(1)));
        Assert.False(lookup.OnResponse(Node(1), [], Ms(1500))); // too late: the lookup has ended
    }

    [Fact]
    public void OnResponse_FromAnUnresponsiveNodeBeforeTheLookupEnds_TakesItsPlaceInTheResults()
    {
        var lookup = Create(new LookupOptions { K = 2, Alpha = 2 }, 1, 2, 3);
        DrainQueries(lookup, T0, out _);
        lookup.OnResponse(Node(2), [], Ms(10));
        Assert.Equal(Node(3), ExpectQuery(lookup, Ms(500)));

        Assert.True(lookup.OnResponse(Node(1), [], Ms(510)));
        lookup.OnResponse(Node(3), [], Ms(520));

        Assert.Equal(LookupStepKind.Finished, lookup.Next(Ms(520)).Kind);
        Assert.Equal(Nodes(1, 2), lookup.Results);
    }

    [Fact]
    public void Next_WithAnAdvisor_GivesEachQueryItsOwnTimeouts()
    {
        var advisor = new ScriptedAdvisor();
        advisor.Timeouts[Id(1)] = new(TimeSpan.FromMilliseconds(80), TimeSpan.FromMilliseconds(500));
        advisor.Timeouts[Id(2)] = new(TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(600));
        var lookup = new ClosestNodesLookup(NodeId.Zero, Nodes(1, 2, 3), new LookupOptions { K = 2, Alpha = 2 }, advisor);

        Assert.Equal(Nodes(1, 2), DrainQueries(lookup, T0, out var wait));
        Assert.Equal(Ms(80), wait.WakeAt);
        Assert.Equal(Node(3), ExpectQuery(lookup, Ms(80))); // node 1 fell silent: its slot goes to node 3
        Assert.Equal(Ms(300), lookup.Next(Ms(80)).WakeAt);

        Assert.True(lookup.OnResponse(Node(1), [], Ms(499))); // late, but before its hard timeout
        Assert.False(lookup.OnResponse(Node(2), [], Ms(600))); // at its hard timeout
        Assert.Equal(Nodes(1, 2, 3), advisor.Asked);
    }

    [Fact]
    public void Next_NeverAsksANodeTheAdvisorAvoids_EvenWhenAnswersKeepListingIt()
    {
        var advisor = new ScriptedAdvisor();
        advisor.AvoidedUntil[Id(1)] = Ms(60_000);
        var lookup = new ClosestNodesLookup(NodeId.Zero, Nodes(1, 5), new LookupOptions { K = 2, Alpha = 1 }, advisor);

        Assert.Equal(Node(5), ExpectQuery(lookup, T0));
        lookup.OnResponse(Node(5), Nodes(1, 3), Ms(10));
        Assert.Equal(Node(3), ExpectQuery(lookup, Ms(10)));
        lookup.OnResponse(Node(3), Nodes(1), Ms(20));

        Assert.Equal(LookupStepKind.Finished, lookup.Next(Ms(20)).Kind);
        Assert.Equal(Nodes(3, 5), lookup.Results);
        Assert.Equal(LookupNodeState.Avoided, lookup.StateOf(Id(1)));
        Assert.Equal(1, lookup.Avoided);
        Assert.Equal(2, lookup.QueriesSent);
    }

    [Fact]
    public void Next_AsksANodeOnceTheAdvisorNoLongerAvoidsIt()
    {
        var advisor = new ScriptedAdvisor();
        advisor.AvoidedUntil[Id(1)] = Ms(100);
        var lookup = new ClosestNodesLookup(NodeId.Zero, Nodes(1, 5), new LookupOptions { K = 2, Alpha = 1 }, advisor);
        Assert.Equal(Node(5), ExpectQuery(lookup, T0)); // 1 is avoided, and settled so for this lookup

        var later = new ClosestNodesLookup(NodeId.Zero, Nodes(1, 5), new LookupOptions { K = 2, Alpha = 1 }, advisor);
        Assert.Equal(Node(1), ExpectQuery(later, Ms(100)));
        Assert.Equal(LookupNodeState.Avoided, lookup.StateOf(Id(1)));
    }

    [Fact]
    public void Next_WhenAnswersStopBringingCloserNodes_QueriesAllOfTheKClosestAtOnce()
    {
        var options = new LookupOptions { K = 6, Alpha = 2, Spares = 0 };
        var lookup = Create(options, 10, 20, 30, 40, 50, 60, 70, 80);
        Assert.Equal(Nodes(10, 20), DrainQueries(lookup, T0, out _));

        // Two answers (α) in a row that know nothing closer than 10.
        lookup.OnResponse(Node(10), Nodes(90), Ms(10));
        Assert.False(lookup.IsStalled);
        lookup.OnResponse(Node(20), Nodes(35), Ms(11));
        Assert.True(lookup.IsStalled);

        // The four of the six closest not yet asked go out together; nothing beyond the six.
        Assert.Equal(Nodes(30, 35, 40, 50), DrainQueries(lookup, Ms(11), out var last));
        Assert.Equal(LookupStepKind.Waiting, last.Kind);
        Assert.Equal(4, lookup.InFlight);
    }

    [Fact]
    public void Next_WhenStalled_AlsoAsksTheSpareBeyondTheKClosest_SoASilentOneCostsOnlyItsSoftTimeout()
    {
        var lookup = Create(new LookupOptions { K = 3, Alpha = 2, Spares = 1 }, 10, 20, 30, 40, 50);
        Assert.Equal(Nodes(10, 20), DrainQueries(lookup, T0, out _));
        lookup.OnResponse(Node(10), [], Ms(10));
        lookup.OnResponse(Node(20), [], Ms(11));
        Assert.True(lookup.IsStalled);

        Assert.Equal(Nodes(30, 40), DrainQueries(lookup, Ms(11), out _)); // the third closest and one spare, not 50
        lookup.OnResponse(Node(40), [], Ms(60));
        Assert.Equal(LookupStepKind.Waiting, lookup.Next(Ms(60)).Kind); // 30 may still answer

        // 30 falls silent: the spare's answer is in, so the lookup ends at 30's soft timeout.
        Assert.Equal(LookupStepKind.Finished, lookup.Next(Ms(511)).Kind);
        Assert.Equal(Nodes(10, 20, 40), lookup.Results);
        Assert.Equal(4, lookup.QueriesSent);
    }

    [Fact]
    public void Next_WhenTheKClosestAnswer_FinishesWithoutWaitingForTheSpare()
    {
        var lookup = Create(new LookupOptions { K = 2, Alpha = 3, Spares = 1 }, 10, 20, 30);
        Assert.Equal(Nodes(10, 20, 30), DrainQueries(lookup, T0, out _));

        lookup.OnResponse(Node(10), [], Ms(10));
        lookup.OnResponse(Node(20), [], Ms(20));

        Assert.Equal(LookupStepKind.Finished, lookup.Next(Ms(20)).Kind);
        Assert.Equal(Nodes(10, 20), lookup.Results);
    }

    [Fact]
    public void OnResponse_WithACloserNode_EndsTheStallAndRestoresAlpha()
    {
        var lookup = Create(new LookupOptions { K = 6, Alpha = 2, Spares = 0 }, 10, 20, 30, 40, 50, 60, 70, 80);
        DrainQueries(lookup, T0, out _);
        lookup.OnResponse(Node(10), [], Ms(10));
        lookup.OnResponse(Node(20), [], Ms(11));
        DrainQueries(lookup, Ms(11), out _); // 30, 40, 50, 60 in flight

        lookup.OnResponse(Node(30), Nodes(1, 2, 3), Ms(12));

        Assert.False(lookup.IsStalled);
        Assert.Empty(DrainQueries(lookup, Ms(12), out var last)); // 3 in flight >= α
        Assert.Equal(LookupStepKind.Waiting, last.Kind);
        lookup.OnFailure(Node(40), Ms(13));
        lookup.OnFailure(Node(50), Ms(13));
        Assert.Equal([Node(1)], DrainQueries(lookup, Ms(13), out _)); // back to α = 2 in flight
    }

    [Fact]
    public void OnResponse_IgnoresDuplicatesTheResponderExcludedIdsAndUnusableEndpoints()
    {
        var lookup = Create(new LookupOptions { Alpha = 1 }, 5);
        var self = Id(3);
        lookup.Exclude(self);
        ExpectQuery(lookup, T0);

        NodeInfo[] closer =
        [
            Node(5), // the responder itself
            new(self, Node(3).EndPoint), // us
            new(Id(2), NetEndPoint.FromIPv4(0x0A000002u, 0)), // port 0
            new(Id(4), NetEndPoint.FromIPv4(0u, 6881)), // unspecified address
            Node(1),
            new(Id(1), NetEndPoint.FromIPv4(0x0B000001u, 6881)), // same id, other endpoint
            Node(1),
        ];
        lookup.OnResponse(Node(5), closer, Ms(10));

        Assert.Equal(2, lookup.CandidateCount);
        Assert.Null(lookup.StateOf(self));
        Assert.Null(lookup.StateOf(Id(2)));
        Assert.Null(lookup.StateOf(Id(4)));
        Assert.Equal(Node(1), ExpectQuery(lookup, Ms(10)));
    }

    [Fact]
    public void Constructor_DropsDuplicateAndUnusableSeeds()
    {
        NodeInfo[] seeds = [Node(2), Node(1), new(Id(2), NetEndPoint.FromIPv4(0x0B000002u, 1)), new(Id(3), default)];
        var lookup = new ClosestNodesLookup(NodeId.Zero, seeds, LookupOptions.Default);

        Assert.Equal(2, lookup.CandidateCount);
        Assert.Equal(Nodes(1, 2), DrainQueries(lookup, T0, out _));
    }

    [Fact]
    public void Exclude_ForgetsASeedNotYetAskedAndIgnoresItLater()
    {
        var lookup = Create(1, 2);

        lookup.Exclude(Id(1));

        Assert.Equal([Node(2)], DrainQueries(lookup, T0, out _));
        lookup.OnResponse(Node(2), Nodes(1), Ms(10));
        Assert.Null(lookup.StateOf(Id(1)));
        Assert.Equal(LookupStepKind.Finished, lookup.Next(Ms(10)).Kind);
    }

    [Fact]
    public void Exclude_SeveralIds_KeepsThemAllOutOfTheLookup()
    {
        var lookup = Create(new LookupOptions { Alpha = 1 }, 1, 2, 3, 9);

        lookup.Exclude(Id(1));
        lookup.Exclude(Id(2));
        lookup.Exclude(Id(2));
        lookup.Exclude(Id(4));

        Assert.Equal(Node(3), ExpectQuery(lookup, T0));
        lookup.OnResponse(Node(3), Nodes(1, 2, 4, 5), Ms(1));
        Assert.Equal(Node(5), ExpectQuery(lookup, Ms(1)));
        Assert.Equal(3, lookup.CandidateCount); // 3, 5 and 9
    }

    [Fact]
    public void OnResponse_FromANodeNeverQueried_IsIgnored()
    {
        var lookup = Create(new LookupOptions { Alpha = 1 }, 1, 2);
        ExpectQuery(lookup, T0);

        Assert.False(lookup.OnResponse(Node(9), Nodes(0), Ms(5))); // unknown
        Assert.False(lookup.OnResponse(Node(2), Nodes(0), Ms(5))); // known, not asked
        Assert.False(lookup.OnFailure(Node(2), Ms(5)));
        var impostor = new NodeInfo(Id(1), NetEndPoint.FromIPv4(0x0B000001u, 6881));
        Assert.False(lookup.OnResponse(impostor, Nodes(0), Ms(5))); // asked id, other endpoint

        Assert.Null(lookup.StateOf(Id(0)));
        Assert.Equal(0, lookup.Responses);
        Assert.Equal(LookupNodeState.NotContacted, lookup.StateOf(Id(2)));
        Assert.True(lookup.OnResponse(Node(1), [], Ms(6)));
        Assert.False(lookup.OnResponse(Node(1), Nodes(0), Ms(7))); // a second answer
        Assert.Null(lookup.StateOf(Id(0)));
    }

    [Fact]
    public void OnResponse_WithManyNodes_KeepsOnlyTheClosestMaxCandidatesNotYetAsked()
    {
        var options = new LookupOptions { K = 2, Alpha = 1, MaxCandidates = 4 };
        var lookup = Create(options, 1000);
        ExpectQuery(lookup, T0);

        var flood = new NodeInfo[200];
        for (int i = 0; i < flood.Length; i++)
        {
            flood[i] = Node((ulong)(2000 - (i * 7))); // 2000, 1993, ... 607
        }

        lookup.OnResponse(Node(1000), flood, Ms(10));

        Assert.Equal(5, lookup.CandidateCount); // the node that answered and four not yet asked
        foreach (ulong kept in new ulong[] { 607, 614, 621, 628 })
        {
            Assert.Equal(LookupNodeState.NotContacted, lookup.StateOf(Id(kept)));
        }

        // Once 607 is asked, three wait; two closer newcomers fill the bound and displace the farthest (628);
        // a farther one is refused.
        Assert.Equal(Node(607), ExpectQuery(lookup, Ms(10)));
        lookup.OnResponse(Node(607), Nodes(1, 2, 5000), Ms(20));

        Assert.Equal(LookupNodeState.NotContacted, lookup.StateOf(Id(1)));
        Assert.Equal(LookupNodeState.NotContacted, lookup.StateOf(Id(2)));
        Assert.Null(lookup.StateOf(Id(628)));
        Assert.Null(lookup.StateOf(Id(5000)));
        Assert.Equal(6, lookup.CandidateCount);
    }

    [Fact]
    public void Next_WhenTheQueryBudgetIsSpent_FinishesOnceNothingIsInFlight()
    {
        var lookup = Create(new LookupOptions { K = 4, Alpha = 2, MaxQueries = 2 }, 1, 2, 3, 4, 5);
        DrainQueries(lookup, T0, out _);

        lookup.OnResponse(Node(1), [], Ms(10));
        Assert.Equal(LookupStepKind.Waiting, lookup.Next(Ms(10)).Kind);
        lookup.OnResponse(Node(2), [], Ms(11));

        Assert.Equal(LookupStepKind.Finished, lookup.Next(Ms(11)).Kind);
        Assert.Equal(2, lookup.QueriesSent);
        Assert.Equal(Nodes(1, 2), lookup.Results);
    }

    [Fact]
    public void Next_WithNoSeeds_FinishesAtOnce()
    {
        var lookup = Create();

        Assert.Equal(LookupStepKind.Finished, lookup.Next(T0).Kind);
        Assert.Empty(lookup.Results);
        Assert.Equal(0, lookup.Rounds);
    }

    [Fact]
    public void Next_WhenEveryNodeFails_FinishesWithNoResults()
    {
        var lookup = Create(1, 2, 3, 4);
        for (int i = 0; i < 4; i++)
        {
            var node = ExpectQuery(lookup, T0);
            lookup.OnFailure(node, T0);
        }

        Assert.Equal(LookupStepKind.Finished, lookup.Next(T0).Kind);
        Assert.Empty(lookup.Results);
        Assert.Equal(4, lookup.Failures);
    }

    [Fact]
    public void Rounds_IsTheDeepestHopAmongTheResults()
    {
        var lookup = Create(new LookupOptions { K = 2, Alpha = 1 }, 100, 200);
        ExpectQuery(lookup, T0);
        lookup.OnResponse(Node(100), Nodes(50), Ms(1)); // 50: depth 1
        Assert.Equal(0, lookup.Rounds);
        Assert.Equal(Node(50), ExpectQuery(lookup, Ms(1)));
        lookup.OnResponse(Node(50), Nodes(10), Ms(2)); // 10: depth 2
        Assert.Equal(Node(10), ExpectQuery(lookup, Ms(2)));
        lookup.OnResponse(Node(10), Nodes(200), Ms(3)); // a seed stays at depth 0

        Assert.Equal(LookupStepKind.Finished, lookup.Next(Ms(3)).Kind);
        Assert.Equal(Nodes(10, 50), lookup.Results);
        Assert.Equal(2, lookup.Rounds);
    }

    [Fact]
    public void Next_WakeAt_IsTheEarliestSoftDeadlineInFlight()
    {
        var lookup = Create(new LookupOptions { Alpha = 2 }, 1, 2, 3, 4);
        ExpectQuery(lookup, T0);
        ExpectQuery(lookup, Ms(100));

        Assert.Equal(Ms(500), lookup.Next(Ms(100)).WakeAt);
        lookup.OnResponse(Node(1), [], Ms(200));
        Assert.Equal(Node(3), ExpectQuery(lookup, Ms(200)));
        Assert.Equal(Ms(600), lookup.Next(Ms(200)).WakeAt); // node 2, soft

        Assert.Equal(Node(4), ExpectQuery(lookup, Ms(600))); // 2 unresponsive: its slot goes to 4
        Assert.Equal(Ms(700), lookup.Next(Ms(600)).WakeAt); // 3's soft deadline; 2's hard one wakes nothing
        Assert.Equal(Ms(1100), lookup.Next(Ms(700)).WakeAt); // 4's
    }

    [Fact]
    public void Finish_StopsTheLookupAndKeepsWhatAnswered()
    {
        var lookup = Create(1, 2, 3);
        DrainQueries(lookup, T0, out _);
        lookup.OnResponse(Node(2), [], Ms(10));

        lookup.Finish();

        Assert.True(lookup.IsFinished);
        Assert.Equal(LookupStepKind.Finished, lookup.Next(Ms(10)).Kind);
        Assert.False(lookup.OnResponse(Node(1), [], Ms(11)));
        Assert.Equal([Node(2)], lookup.Results);
    }

    [Theory]
    [InlineData(0, 3, 500, 2000, 64, 128)]
    [InlineData(8, 0, 500, 2000, 64, 128)]
    [InlineData(8, 3, 0, 2000, 64, 128)]
    [InlineData(8, 3, 500, 400, 64, 128)]
    [InlineData(8, 3, 500, 2000, 7, 128)]
    [InlineData(8, 3, 500, 2000, 64, 0)]
    public void Constructor_WithOptionsThatCannotWork_Throws(int k, int alpha, int softMs, int hardMs, int maxCandidates, int maxQueries)
    {
        var options = new LookupOptions
        {
            K = k,
            Alpha = alpha,
            SoftTimeout = TimeSpan.FromMilliseconds(softMs),
            HardTimeout = TimeSpan.FromMilliseconds(hardMs),
            MaxCandidates = maxCandidates,
            MaxQueries = maxQueries,
        };

        Assert.Throws<ArgumentOutOfRangeException>(() => new ClosestNodesLookup(NodeId.Zero, [], options));
    }

    [Fact]
    public void Constructor_WithNegativeSpares_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClosestNodesLookup(NodeId.Zero, [], new LookupOptions { Spares = -1 }));
}
