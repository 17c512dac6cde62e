// Partition: the network splits into two random halves that cannot reach each other. After the routing
// tables have noticed (PartitionTime), each half stores its own keys; then the partition heals and every key
// is read from a random node of each side at several times after the heal. Reads repair what they find
// (DESIGN.md section 3), so a sample also helps the next one, as it would in a real network.
using System.Diagnostics;
using Dht.Engine;
using Dht.Protocol;

namespace Dht.Simulation.Scenarios;

internal static class PartitionScenario
{
    public static ScenarioReport Run(ScenarioSettings settings, TextWriter? progress)
    {
        var report = new ScenarioReport(ScenarioRunner.Partition, settings);
        var wall = Stopwatch.StartNew();
        var sim = new SimulatedDht(settings.Seed);
        sim.GrowInWaves(settings.Nodes);
        report.Host.Add(("build_seconds", Math.Round(wall.Elapsed.TotalSeconds, 1)));

        // Sides by a shuffle of the nodes, so that they interleave in the id space.
        var order = Enumerable.Range(0, sim.Nodes.Count).ToArray();
        sim.Random.Shuffle(order);
        var sideB = new HashSet<NetEndPoint>(order.Take(order.Length / 2).Select(i => sim.Nodes[i].LocalEndPoint));
        var a = sim.Nodes.Where(n => !sideB.Contains(n.LocalEndPoint)).ToList();
        var b = sim.Nodes.Where(n => sideB.Contains(n.LocalEndPoint)).ToList();
        sim.Network.Partition(ep => sideB.Contains(ep) ? 1 : 0);
        sim.Clock.RunFor(settings.PartitionTime);

        var keysA = new KeySet(sim, settings.Keys / 2, "a");
        var keysB = new KeySet(sim, settings.Keys - (settings.Keys / 2), "b");
        var putsA = keysA.PutAll(sim, _ => a[sim.Random.Next(a.Count)]);
        var putsB = keysB.PutAll(sim, _ => b[sim.Random.Next(b.Count)]);
        int storedA = putsA.Count(p => p.Result is { NodesStored: > 0 });
        int storedB = putsB.Count(p => p.Result is { NodesStored: > 0 });
        double ownA = FoundShare(sim, keysA.Keys, a);
        double ownB = FoundShare(sim, keysB.Keys, b);
        progress?.WriteLine($"partition: {a.Count}/{b.Count} nodes, keys stored {storedA}+{storedB}, found on own side {ownA:P1}/{ownB:P1}");
        var across = FoundShare(sim, keysA.Keys, b);
        report.Metrics.Add(("found_across_while_partitioned", across));

        sim.Network.Heal();
        var healedAt = sim.Clock.GetUtcNow();
        var table = new ReportTable(
            "Partition healed: every key read from a random node of each side",
            "after heal", "keys", "A's keys from A", "A's keys from B", "B's keys from A", "B's keys from B", "all keys, both sides");
        var times = new List<string>();
        var fromA = new List<double>();
        var fromB = new List<double>();
        double last = 0;
        foreach (var at in settings.AfterHeal)
        {
            sim.Clock.RunUntil(healedAt + at);
            double aa = FoundShare(sim, keysA.Keys, a);
            double ab = FoundShare(sim, keysA.Keys, b);
            double ba = FoundShare(sim, keysB.Keys, a);
            double bb = FoundShare(sim, keysB.Keys, b);
            double all = (aa * keysA.Keys.Count + ba * keysB.Keys.Count + ab * keysA.Keys.Count + bb * keysB.Keys.Count) / (2.0 * settings.Keys);
            last = Math.Min(Math.Min(aa, ab), Math.Min(ba, bb));
            table.Add(Format.Duration(at), Format.Integer(settings.Keys), Format.Percent(aa, 1), Format.Percent(ab, 1), Format.Percent(ba, 1), Format.Percent(bb, 1), Format.Percent(all, 1));
            times.Add(Format.Duration(at));
            fromA.Add((aa * keysA.Keys.Count + ba * keysB.Keys.Count) / settings.Keys * 100);
            fromB.Add((ab * keysA.Keys.Count + bb * keysB.Keys.Count) / settings.Keys * 100);
            progress?.WriteLine($"partition: {at} after heal, worst share found {last:P1}");
        }

        var before = new ReportTable(
            "While partitioned",
            "side", "nodes", "keys stored", "found on own side", "found from the other side");
        before.Add("A", Format.Integer(a.Count), Format.Integer(storedA), Format.Percent(ownA, 1), Format.Percent(across, 1));
        before.Add("B", Format.Integer(b.Count), Format.Integer(storedB), Format.Percent(ownB, 1), "-");
        report.Tables.Add(before);
        report.Tables.Add(table);
        report.Checks.Add(new ReportCheck(
            $"keys found from both sides {Format.Duration(settings.AfterHeal[^1])} after the heal", "100%", Format.Percent(last, 1), last >= 1));
        var chart = new ReportChart("partition-heal", "Keys found after the partition heals", "time after heal", "keys found %", times) { YMax = 100 };
        chart.Add("from side A", fromA);
        chart.Add("from side B", fromB);
        report.Charts.Add(chart);
        ScenarioRunner.AddCounters(report, sim);
        report.Host.Add(("total_seconds", Math.Round(wall.Elapsed.TotalSeconds, 1)));
        return report;
    }

    private static double FoundShare(SimulatedDht sim, List<string> keys, List<DhtEngine> readers)
    {
        var gets = keys.Select(k => (k, readers[sim.Random.Next(readers.Count)])).ToList();
        var outcomes = KeySet.GetAll(sim, gets);
        int right = 0;
        for (int i = 0; i < gets.Count; i++)
        {
            if (KeySet.IsRight(gets[i].k, outcomes[i].Result))
            {
                right++;
            }
        }

        return (double)right / keys.Count;
    }
}
