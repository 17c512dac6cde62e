using Dht.Lookups;
using Dht.Protocol;
using Xunit.Abstractions;
using static Dht.Tests.Lookups.LookupTestNodes;

namespace Dht.Tests.Lookups;

public sealed class LookupSimulationTests
{
    private const int NetworkSize = 2000;
    private const int Targets = 200;

    private readonly ITestOutputHelper _output;

    public LookupSimulationTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Lookup_InAStaticNetwork_FindsTheTrueKClosestInFewRounds()
    {
        const int seed = 20250101;
        var random = new Random(seed);
        var network = new SyntheticNetwork(NetworkSize, random);
        var options = LookupOptions.Default;
        int maxRounds = 0;
        int totalRounds = 0;
        int totalQueries = 0;

        for (int t = 0; t < Targets; t++)
        {
            var target = NodeId.CreateRandom(random);
            int origin = random.Next(NetworkSize);
            var lookup = Start(network, origin, target, options);

            // Every query handed out before the lookup waits is one batch; all of it answers 10 ms later.
            var now = T0;
            var batch = new List<NodeInfo>();
            for (int guard = 0; ; guard++)
            {
                Assert.True(guard < 10_000, $"seed {seed}, target #{t}: lookup did not finish");
                var step = lookup.Next(now);
                if (step.Kind == LookupStepKind.Query)
                {
                    batch.Add(step.Node);
                    continue;
                }

                if (step.Kind == LookupStepKind.Finished)
                {
                    break;
                }

                Assert.NotEmpty(batch); // nobody is silent here, so waiting always means answers are due
                now = now.AddMilliseconds(10);
                foreach (var node in batch)
                {
                    lookup.OnResponse(node, network.ClosestKnown(network.IndexOf(node), target, options.K), now);
                }

                batch.Clear();
            }

            var expected = network.TrueClosest(target, options.K, i => i != origin);
            AssertSameNodes(expected, lookup.Results, $"seed {seed}, target #{t} {target}");
            Assert.Equal(0, lookup.Failures);
            maxRounds = Math.Max(maxRounds, lookup.Rounds);
            totalRounds += lookup.Rounds;
            totalQueries += lookup.QueriesSent;
        }

        _output.WriteLine($"rounds: max {maxRounds}, mean {(double)totalRounds / Targets:F2}; queries: mean {(double)totalQueries / Targets:F1}");
        Assert.True(maxRounds <= Math.Log2(NetworkSize), $"seed {seed}: deepest lookup took {maxRounds} hops");
        Assert.True(totalRounds <= 4 * Targets, $"seed {seed}: mean hops {(double)totalRounds / Targets:F2}");
    }

    [Fact]
    public void Lookup_WithDeadNodes_FindsTheKClosestLiveNodes_WithoutWaitingForTheirHardTimeouts()
    {
        const int seed = 4242;
        var (exact, meanMs) = RunWithSilentNodes(seed, deadShare: 0.2, slowShare: 0);

        // Most lookups meet a dead node among the k closest; waiting for each until its hard timeout (2 s) made
        // the mean 2.4 s. Now a dead node costs its soft timeout (500 ms).
        _output.WriteLine($"exact: {exact}/{Targets}, time: mean {meanMs:F0} ms");
        Assert.Equal(Targets, exact);
        Assert.True(meanMs < LookupOptions.Default.HardTimeout.TotalMilliseconds, $"seed {seed}: mean lookup time {meanMs:F0} ms");
    }

    [Fact]
    public void Lookup_WithSlowNodes_ReturnsTheKClosestOfTheNodesThatAnsweredInTime()
    {
        const int seed = 777;
        var (exact, meanMs) = RunWithSilentNodes(seed, deadShare: 0.1, slowShare: 0.2);

        // A slow node is left out once the k closest that answered in time are in; sometimes the only nodes that
        // knew one of the true k closest were slow ones.
        _output.WriteLine($"exact: {exact}/{Targets}, time: mean {meanMs:F0} ms");
        Assert.True(exact >= Targets * 9 / 10, $"seed {seed}: {exact} of {Targets} lookups found the k closest that answered in time");
    }

    // Lookups from random live nodes for random targets, with a share of the nodes dead (silent) and a share of
    // the live ones slow (answering after the soft timeout, before the hard one); the rest answer in 10-400 ms.
    // Every result must be the k closest of the nodes the lookup heard answer, closest first; returns how many were
    // exactly the k closest of all the live nodes that answered in time (every live node, when none is slow), and
    // the mean virtual time a lookup took.
    private (int Exact, double MeanMs) RunWithSilentNodes(int seed, double deadShare, double slowShare)
    {
        var random = new Random(seed);
        var network = new SyntheticNetwork(NetworkSize, random);
        var options = LookupOptions.Default;
        var dead = new bool[NetworkSize];
        var slow = new bool[NetworkSize];
        for (int i = 0; i < NetworkSize; i++)
        {
            dead[i] = random.NextDouble() < deadShare;
            slow[i] = !dead[i] && random.NextDouble() < slowShare;
        }

        int maxRounds = 0;
        int exact = 0;
        double totalMs = 0;
        for (int t = 0; t < Targets; t++)
        {
            var target = NodeId.CreateRandom(random);
            int origin;
            do
            {
                origin = random.Next(NetworkSize);
            }
            while (dead[origin]);

            var lookup = Start(network, origin, target, options, dead);
            var inbox = new PriorityQueue<NodeInfo, DateTimeOffset>();
            var now = T0;
            for (int guard = 0; ; guard++)
            {
                Assert.True(guard < 10_000, $"seed {seed}, target #{t}: lookup did not finish");
                var step = lookup.Next(now);
                if (step.Kind == LookupStepKind.Query)
                {
                    int index = network.IndexOf(step.Node);
                    if (!dead[index])
                    {
                        int latency = slow[index] ? random.Next(500, 1800) : random.Next(10, 400);
                        inbox.Enqueue(step.Node, now.AddMilliseconds(latency));
                    }

                    continue;
                }

                if (step.Kind == LookupStepKind.Finished)
                {
                    break;
                }

                if (inbox.TryPeek(out var node, out var due) && due <= step.WakeAt)
                {
                    inbox.Dequeue();
                    now = due;
                    lookup.OnResponse(node, network.ClosestKnown(network.IndexOf(node), target, options.K, dead), now);
                }
                else
                {
                    now = step.WakeAt;
                }
            }

            string context = $"seed {seed}, target #{t} {target}";
            var answered = network.TrueClosest(target, options.K, i => lookup.StateOf(network.Nodes[i].Id) == LookupNodeState.Succeeded);
            AssertSameNodes(answered, lookup.Results, context);
            var inTime = network.TrueClosest(target, options.K, i =>
                i != origin && !dead[i] && (!slow[i] || lookup.StateOf(network.Nodes[i].Id) == LookupNodeState.Succeeded));
            if (inTime.AsSpan().SequenceEqual([.. lookup.Results]))
            {
                exact++;
            }

            maxRounds = Math.Max(maxRounds, lookup.Rounds);
            totalMs += (now - T0).TotalMilliseconds;
        }

        Assert.True(maxRounds <= Math.Log2(NetworkSize), $"seed {seed}: deepest lookup took {maxRounds} hops");
        return (exact, totalMs / Targets);
    }

    private static ClosestNodesLookup Start(
        SyntheticNetwork network, int origin, NodeId target, LookupOptions options, bool[]? dead = null)
    {
        var seeds = dead is null
            ? network.ClosestKnown(origin, target, options.K)
            : network.ClosestKnown(origin, target, options.K, dead);
        var lookup = new ClosestNodesLookup(target, seeds, options);
        lookup.Exclude(network.Nodes[origin].Id);
        return lookup;
    }

    private static void AssertSameNodes(NodeInfo[] expected, IReadOnlyList<NodeInfo> actual, string context)
    {
        Assert.True(
            expected.AsSpan().SequenceEqual([.. actual]),
            $"{context}: expected [{string.Join(", ", expected)}] but got [{string.Join(", ", actual)}]");
    }
}
