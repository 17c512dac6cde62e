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
    public void Lookup_WithDeadAndSlowNodes_FindsTheKClosestLiveNodes()
    {
        const int seed = 4242;
        var random = new Random(seed);
        var network = new SyntheticNetwork(NetworkSize, random);
        var options = LookupOptions.Default;
        var dead = new bool[NetworkSize];
        for (int i = 0; i < NetworkSize; i++)
        {
            dead[i] = random.NextDouble() < 0.2;
        }

        int maxRounds = 0;
        int totalQueries = 0;
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
                    if (!dead[network.IndexOf(step.Node)])
                    {
                        // Most answer fast; one in five only after the soft timeout, still before the hard one.
                        int latency = random.NextDouble() < 0.8 ? random.Next(10, 200) : random.Next(500, 1800);
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

            var expected = network.TrueClosest(target, options.K, i => i != origin && !dead[i]);
            AssertSameNodes(expected, lookup.Results, $"seed {seed}, target #{t} {target}");
            maxRounds = Math.Max(maxRounds, lookup.Rounds);
            totalQueries += lookup.QueriesSent;
            totalMs += (now - T0).TotalMilliseconds;
        }

        _output.WriteLine($"rounds: max {maxRounds}; queries: mean {(double)totalQueries / Targets:F1}; time: mean {totalMs / Targets:F0} ms");
        Assert.True(maxRounds <= Math.Log2(NetworkSize), $"seed {seed}: deepest lookup took {maxRounds} hops");
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
