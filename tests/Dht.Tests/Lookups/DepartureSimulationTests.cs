using Dht.Engine;
using Dht.Lookups;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Simulation;

namespace Dht.Tests.Lookups;

/// <summary>
/// Real nodes on the simulated network (20-310 ms round trips) right after a quarter of them leave without a word:
/// the departed cost the survivors' lookups at most their soft timeout, and each survivor asks each of them once.
/// </summary>
public sealed class DepartureSimulationTests
{
    private const int Size = 60;
    private const int K = 8;

    [Fact]
    public void LookupsRightAfterAQuarterLeave_ReturnOnlyLiveNodes_WithoutWaitingForAHardTimeout()
    {
        const int seed = 31;
        var (sim, departed) = GrowThenDepart(seed);

        int index = 0;
        int exact = 0;
        foreach (var survivor in sim.Nodes.ToList())
        {
            var target = NodeId.CreateRandom(sim.Random);
            var result = sim.Run(survivor.FindNodeAsync(target));

            var expected = sim.TrueClosest(target, K + 1).Where(id => id != survivor.Id).Take(K).ToList();
            string context = $"seed {seed}, survivor #{index++} {survivor.Id.ToShortString()}";
            if (expected.SequenceEqual(result.ClosestNodes.Select(n => n.Id)))
            {
                exact++;
            }

            Assert.DoesNotContain(result.ClosestNodes, n => departed.Contains(n.Id));

            // Waiting for a departed node among the k closest until its hard timeout took 2 s.
            Assert.True(result.Elapsed < survivor.Options.QueryTimeout, $"{context}: took {result.Elapsed.TotalMilliseconds} ms");
        }

        // Right after the departures the nodes near a target still list departed contacts among their k closest
        // (they have not asked them since), in place of live ones that then go unheard of: some lookups miss one of
        // the true k closest. (37 of 45 here; 36 when lookups waited for each departed node's hard timeout.)
        Assert.True(exact >= index * 4 / 5, $"seed {seed}: {exact} of {index} lookups found the true {K} closest live nodes");
    }

    [Fact]
    public void ASurvivorAsksEachDepartedNodeOnce_HoweverManyAnswersStillListIt()
    {
        const int seed = 32;
        var (sim, departed) = GrowThenDepart(seed);
        var survivor = sim.Nodes[0];
        var asked = new Dictionary<NodeId, int>();

        // Lookups for the departed nodes' own ids: every answer near them lists them while their holders have
        // not noticed yet.
        foreach (var gone in departed)
        {
            var op = sim.Run(survivor.RunLookupAsync(KrpcMethod.FindNode, gone, null, CancellationToken.None));
            foreach (var other in departed)
            {
                if (op.Lookup.StateOf(other) is LookupNodeState.Waiting or LookupNodeState.Unresponsive or LookupNodeState.Failed)
                {
                    asked[other] = asked.GetValueOrDefault(other) + 1;
                }
            }

            Assert.DoesNotContain(op.Lookup.Results, n => departed.Contains(n.Id));
        }

        Assert.All(asked, a => Assert.True(a.Value == 1, $"seed {seed}: {a.Key.ToShortString()} asked {a.Value} times"));
        Assert.NotEmpty(asked);
    }

    // A network of Size nodes, settled for a minute; then a quarter of them, picked at random, leave silently.
    private static (SimulatedDht Sim, HashSet<NodeId> Departed) GrowThenDepart(int seed)
    {
        var sim = new SimulatedDht(seed);
        sim.Grow(Size);
        sim.Clock.RunFor(TimeSpan.FromMinutes(1));
        var departed = new HashSet<NodeId>();
        for (int i = 0; i < Size / 4; i++)
        {
            departed.Add(sim.KillAt(sim.Random.Next(sim.Nodes.Count)).Id);
        }

        return (sim, departed);
    }
}
