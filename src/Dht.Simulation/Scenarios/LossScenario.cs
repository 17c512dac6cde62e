// Loss: the same network and keys, read at several packet-loss rates. Keys are stored without loss; then, for
// each rate in turn, gets of random keys from random nodes run with every datagram (queries and answers alike)
// lost with that probability, and the share that return the right value and their virtual latency are recorded.
using System.Diagnostics;

namespace Dht.Simulation.Scenarios;

internal static class LossScenario
{
    public static ScenarioReport Run(ScenarioSettings settings, TextWriter? progress)
    {
        var report = new ScenarioReport(ScenarioRunner.Loss, settings);
        var wall = Stopwatch.StartNew();
        var sim = new SimulatedDht(settings.Seed);
        sim.GrowInWaves(settings.Nodes);
        report.Host.Add(("build_seconds", Math.Round(wall.Elapsed.TotalSeconds, 1)));
        var keys = new KeySet(sim, settings.Keys);
        var puts = keys.PutAll(sim, _ => sim.Nodes[sim.Random.Next(sim.Nodes.Count)]);
        int stored = puts.Count(p => p.Result is { NodesStored: > 0 });
        progress?.WriteLine($"loss: {settings.Nodes} nodes, {stored}/{keys.Keys.Count} keys stored");

        var table = new ReportTable(
            "Gets under packet loss (every datagram lost with the given probability)",
            "loss", "gets", "right value", "success", "latency ms p50", "p90", "p99");
        var success = new List<double>();
        var latencies = new List<double[]>();
        foreach (double rate in settings.LossRates)
        {
            sim.Network.LossRate = rate;
            var gets = Enumerable.Range(0, settings.Gets)
                .Select(_ => (keys.Keys[sim.Random.Next(keys.Keys.Count)], sim.Nodes[sim.Random.Next(sim.Nodes.Count)]))
                .ToList();
            var outcomes = KeySet.GetAll(sim, gets);
            int right = 0;
            for (int i = 0; i < gets.Count; i++)
            {
                if (KeySet.IsRight(gets[i].Item1, outcomes[i].Result))
                {
                    right++;
                }
            }

            var latency = Percentiles.Sorted(outcomes.Select(o => o.Elapsed.TotalMilliseconds));
            double share = (double)right / gets.Count;
            success.Add(share);
            latencies.Add(latency);
            table.Add(
                Format.Percent(rate, 0), Format.Integer(gets.Count), Format.Integer(right), Format.Percent(share),
                Format.Millis(Percentiles.Of(latency, 50)), Format.Millis(Percentiles.Of(latency, 90)), Format.Millis(Percentiles.Of(latency, 99)));
            if (Math.Abs(rate - 0.2) < 1e-9)
            {
                report.Checks.Add(new ReportCheck("gets that succeed with 20% packet loss", "≥ 99%", Format.Percent(share), share >= 0.99));
            }

            progress?.WriteLine($"loss: {rate:P0} loss, {right}/{gets.Count} gets right");
        }

        sim.Network.LossRate = 0;
        report.Tables.Add(table);
        report.Metrics.Add(("keys_stored", stored));
        var labels = settings.LossRates.Select(r => Format.Percent(r, 0)).ToArray();
        var successChart = new ReportChart("loss-success", "Gets that return the value", "packet loss", "success %", labels) { YMax = 100 };
        successChart.Add("success", success.Select(s => s * 100));
        report.Charts.Add(successChart);
        var latencyChart = new ReportChart("loss-latency", "Virtual latency per get", "packet loss", "ms", labels);
        latencyChart.Add("p50", latencies.Select(l => Percentiles.Of(l, 50)));
        latencyChart.Add("p90", latencies.Select(l => Percentiles.Of(l, 90)));
        latencyChart.Add("p99", latencies.Select(l => Percentiles.Of(l, 99)));
        report.Charts.Add(latencyChart);
        ScenarioRunner.AddCounters(report, sim);
        report.Host.Add(("total_seconds", Math.Round(wall.Elapsed.TotalSeconds, 1)));
        return report;
    }
}
