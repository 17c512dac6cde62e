using System.Diagnostics;
using System.Text;

namespace Dht.Tests.Simulation;

// An application that listens to the node's spans (an OpenTelemetry exporter, say) must not take a simulated
// node off its simulation's thread: every continuation of a traced operation stays on the simulation clock.
public sealed class TracedSimulationTests
{
    [Fact]
    public void Operations_WhileSpansAreRecorded_RunOnTheSimulationClock_AndEachGetsItsSpan()
    {
        const int seed = 11;
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == DhtNode.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (spans)
                {
                    spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        var sim = new SimulatedDht(seed);
        sim.Grow(30);
        for (int i = 0; i < 20; i++)
        {
            var writer = sim.Nodes[sim.Random.Next(sim.Nodes.Count)];
            var reader = sim.Nodes[sim.Random.Next(sim.Nodes.Count)];
            var put = sim.Run(writer.PutAsync($"traced{i}", Encoding.UTF8.GetBytes($"value{i}")));
            Assert.True(put.NodesStored > 0, $"traced{i} stored nowhere (seed {seed})");
            var got = sim.Run(reader.GetAsync($"traced{i}"));
            Assert.True(got.Found, $"traced{i} not found (seed {seed})");
        }

        lock (spans)
        {
            // Other tests of this assembly may run traced operations at the same time; count only ours.
            var ours = spans.Where(s => s.OperationName is "dht.put" or "dht.get"
                && s.Tags.Any(t => t.Value is string v && v.StartsWith("traced", StringComparison.Ordinal))).ToList();
            Assert.True(ours.Count >= 40, $"{ours.Count} spans of 40 operations (seed {seed})");
        }
    }
}
