// Lookups: find_node for random targets from random nodes at growing network sizes. For each size: rounds
// (hops), RPCs and virtual latency per lookup (median, p90, p99), and the share of lookups whose k results are
// exactly the k live nodes closest to the target (known to the simulation by brute force).
//
// One network grows through every size (N/100, N/10, N, the smaller ones only from 100 nodes up), so a run at
// 100,000 nodes also measures 1,000 and 10,000. Lookups run fifty at a time, so the virtual time they take
// (and the maintenance the nodes do meanwhile) stays small.
using System.Diagnostics;
using Dht.Protocol;

namespace Dht.Simulation.Scenarios;

internal static class LookupsScenario
{
    private const int K = 8;
    private const int Parallel = 50;

    public static ScenarioReport Run(ScenarioSettings settings, TextWriter? progress)
    {
        var report = new ScenarioReport(ScenarioRunner.Lookups, settings);
        var table = new ReportTable(
            "Lookups: find_node of a random target from a random node",
            "nodes", "lookups", "rounds p50", "p90", "p99", "RPCs p50", "p90", "p99", "latency ms p50", "p90", "p99", "true k closest");
        var sizes = Sizes(settings.Nodes);
        var rounds = new List<double[]>();
        var latencies = new List<double[]>();
        var rpcs = new List<double[]>();
        var exactShares = new List<double>();

        long baseline = settings.MeasureMemory ? GC.GetTotalMemory(forceFullCollection: true) : 0;
        var sim = new SimulatedDht(settings.Seed);
        var wall = Stopwatch.StartNew();
        foreach (int size in sizes)
        {
            var buildStart = wall.Elapsed;
            var virtualStart = sim.Clock.GetUtcNow();
            sim.GrowInWaves(size);
            report.Host.Add(($"build_seconds_{size}", Math.Round((wall.Elapsed - buildStart).TotalSeconds, 1)));
            report.Metrics.Add(($"build_virtual_seconds_{size}", Math.Round((sim.Clock.GetUtcNow() - virtualStart).TotalSeconds, 3)));
            if (settings.MeasureMemory)
            {
                long used = GC.GetTotalMemory(forceFullCollection: true) - baseline;
                report.Host.Add(($"bytes_per_node_{size}", used / size));
            }

            progress?.WriteLine($"lookups: {size} nodes built in {(wall.Elapsed - buildStart).TotalSeconds:F1} s; measuring {settings.Lookups} lookups");
            var lookupStart = wall.Elapsed;
            var (r, q, l, exact) = Measure(sim, settings.Lookups);
            report.Host.Add(($"lookup_seconds_{size}", Math.Round((wall.Elapsed - lookupStart).TotalSeconds, 1)));
            rounds.Add(r);
            rpcs.Add(q);
            latencies.Add(l);
            exactShares.Add(exact);
            table.Add(
                Format.Integer(size), Format.Integer(settings.Lookups),
                Format.Number(Percentiles.Of(r, 50)), Format.Number(Percentiles.Of(r, 90)), Format.Number(Percentiles.Of(r, 99)),
                Format.Number(Percentiles.Of(q, 50)), Format.Number(Percentiles.Of(q, 90)), Format.Number(Percentiles.Of(q, 99)),
                Format.Millis(Percentiles.Of(l, 50)), Format.Millis(Percentiles.Of(l, 90)), Format.Millis(Percentiles.Of(l, 99)),
                Format.Percent(exact, 1));
        }

        report.Tables.Add(table);
        for (int i = 0; i < sizes.Count; i++)
        {
            report.Checks.Add(new ReportCheck(
                $"lookups returning the true {K} closest at {sizes[i]} nodes", "≥ 99%", Format.Percent(exactShares[i], 1), exactShares[i] >= 0.99));
        }

        if (sizes.Count > 1)
        {
            double growth = Percentiles.Of(rounds[^1], 50) - Percentiles.Of(rounds[0], 50);
            report.Checks.Add(new ReportCheck(
                $"growth of the median rounds from {sizes[0]} to {sizes[^1]} nodes", "≤ 3", Format.Number(growth), growth <= 3));
        }

        var labels = sizes.Select(s => Format.Integer(s)).ToArray();
        AddPercentileChart(report, "lookups-rounds", "Rounds (hops) per lookup", "rounds", labels, rounds);
        AddPercentileChart(report, "lookups-rpcs", "RPCs per lookup", "RPCs", labels, rpcs);
        AddPercentileChart(report, "lookups-latency", "Virtual latency per lookup", "ms", labels, latencies);
        ScenarioRunner.AddCounters(report, sim);
        return report;
    }

    /// <summary>N/100, N/10 and N, keeping those of at least 100 nodes (N itself always).</summary>
    internal static List<int> Sizes(int nodes)
    {
        var sizes = new List<int>();
        foreach (int divisor in (ReadOnlySpan<int>)[100, 10])
        {
            int size = nodes / divisor;
            if (size >= 100)
            {
                sizes.Add(size);
            }
        }

        sizes.Add(nodes);
        return sizes;
    }

    private static (double[] Rounds, double[] Rpcs, double[] Latency, double Exact) Measure(SimulatedDht sim, int count)
    {
        var rounds = new List<double>(count);
        var rpcs = new List<double>(count);
        var latency = new List<double>(count);
        int exact = 0;
        for (int done = 0; done < count; done += Parallel)
        {
            var batch = new List<(Engine.DhtEngine From, NodeId Target)>();
            for (int i = done; i < Math.Min(count, done + Parallel); i++)
            {
                batch.Add((sim.Nodes[sim.Random.Next(sim.Nodes.Count)], NodeId.CreateRandom(sim.Random)));
            }

            var outcomes = Probe.RunAll(sim, batch.Select(b => (Func<Task<LookupResult>>)(() => b.From.FindNodeAsync(b.Target))).ToList());
            for (int i = 0; i < batch.Count; i++)
            {
                var result = outcomes[i].Result
                    ?? throw new InvalidOperationException($"A lookup failed (seed {sim.Seed}).");
                rounds.Add(result.Rounds);
                rpcs.Add(result.QueriesSent);
                latency.Add(result.Elapsed.TotalMilliseconds);
                var expected = sim.TrueClosest(batch[i].Target, K + 1).Where(id => id != batch[i].From.Id).Take(K);
                if (result.ClosestNodes.Select(n => n.Id).Take(K).SequenceEqual(expected))
                {
                    exact++;
                }
            }
        }

        return (Percentiles.Sorted(rounds), Percentiles.Sorted(rpcs), Percentiles.Sorted(latency), (double)exact / count);
    }

    internal static void AddPercentileChart(ScenarioReport report, string name, string title, string yLabel, string[] labels, List<double[]> samples)
    {
        var chart = new ReportChart(name, title, "nodes", yLabel, labels);
        chart.Add("p50", samples.Select(s => Percentiles.Of(s, 50)));
        chart.Add("p90", samples.Select(s => Percentiles.Of(s, 90)));
        chart.Add("p99", samples.Select(s => Percentiles.Of(s, 99)));
        report.Charts.Add(chart);
    }
}
