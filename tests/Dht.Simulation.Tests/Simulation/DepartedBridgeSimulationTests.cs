using System.Text;
using Dht.Engine;
using Dht.Protocol;

namespace Dht.Tests.Simulation;

/// <summary>
/// Two groups that never met, joined once by a node that knew both and then left: the groups must go on
/// finding each other's keys without it.
/// </summary>
public sealed class DepartedBridgeSimulationTests
{
    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    [InlineData(23)]
    public void TwoGroupsJoinedByABridgeThatLeft_FindEachOthersKeys(int seed)
    {
        var sim = new SimulatedDht(seed);
        var a = Group(sim, 3);
        var b = Group(sim, 3);
        PutKeys(sim, a, "a");
        PutKeys(sim, b, "b");

        var bridge = sim.AddNode(a[0].LocalEndPoint, b[0].LocalEndPoint);
        sim.Run(bridge.BootstrapAsync());
        sim.Kill(bridge);
        sim.Clock.RunFor(TimeSpan.FromSeconds(10));

        var missing = new List<string>();
        foreach (var (readers, prefix) in new[] { (a, "b"), (b, "a") })
        {
            foreach (var reader in readers)
            {
                for (int i = 0; i < 3; i++)
                {
                    string key = $"{prefix}{i}";
                    var got = sim.Run(reader.GetAsync(key));
                    if (!got.Found || Encoding.UTF8.GetString(got.Value.Span) != "value of " + key)
                    {
                        missing.Add($"{key} from {reader.Id}");
                    }
                }
            }
        }

        Assert.True(missing.Count == 0, $"{missing.Count} of 18 cross-group gets failed (seed {seed}): {string.Join(", ", missing)}");
    }

    private static List<DhtEngine> Group(SimulatedDht sim, int count)
    {
        var first = sim.AddNode();
        List<DhtEngine> group = [first];
        while (group.Count < count)
        {
            var node = sim.AddNode(first.LocalEndPoint);
            sim.Run(node.BootstrapAsync());
            group.Add(node);
        }

        return group;
    }

    private static void PutKeys(SimulatedDht sim, List<DhtEngine> group, string prefix)
    {
        for (int i = 0; i < 3; i++)
        {
            string key = $"{prefix}{i}";
            var put = sim.Run(group[i].PutAsync(key, Encoding.UTF8.GetBytes("value of " + key)));
            Assert.True(put.NodesStored >= 2, $"{key} stored at {put.NodesStored} nodes (seed {sim.Seed})");
        }
    }
}
