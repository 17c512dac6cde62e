// Churn: nodes leave without warning and others join, at a steady rate, for many virtual hours, while random
// nodes keep reading the stored keys; then a large share of the network leaves at once and the scenario
// watches how long replication takes to restore every key to its k closest live nodes.
//
// Departures are a Poisson process of ChurnPerHour × N per hour; each departure is matched by a join, so the
// size stays N: half the joins are new nodes, half are earlier departed nodes coming back with their old id,
// address and stored values (a node restarting with its database). Keys live longer than the run (ttl = run
// length + 24 h), so every key stays live throughout and a failed get is the network's fault: holders must
// re-replicate to the current k closest every hour (tReplicate), and publishers re-publish while they run.
using System.Diagnostics;
using Dht.Engine;

namespace Dht.Simulation.Scenarios;

internal static class ChurnScenario
{
    private static readonly TimeSpan RecoverySample = TimeSpan.FromMinutes(10);

    public static ScenarioReport Run(ScenarioSettings settings, TextWriter? progress)
    {
        var report = new ScenarioReport(ScenarioRunner.Churn, settings);
        var wall = Stopwatch.StartNew();
        var ttl = TimeSpan.FromHours(settings.Hours + 24) + settings.RecoveryWindow;
        var sim = new SimulatedDht(settings.Seed, () => new DhtOptions
        {
            StorageLimits = new Storage.StorageLimits { DefaultTtl = ttl, MaxTtl = ttl },
        });
        sim.GrowInWaves(settings.Nodes);
        report.Host.Add(("build_seconds", Math.Round(wall.Elapsed.TotalSeconds, 1)));
        var keys = new KeySet(sim, settings.Keys);
        var puts = keys.PutAll(sim, _ => sim.Nodes[sim.Random.Next(sim.Nodes.Count)]);
        report.Metrics.Add(("keys_stored", puts.Count(p => p.Result is { NodesStored: > 0 })));

        var churnStart = wall.Elapsed;
        var samples = RunChurn(sim, keys, settings, report, progress);
        report.Host.Add(("churn_seconds", Math.Round((wall.Elapsed - churnStart).TotalSeconds, 1)));

        // Steady-state summary in (at most) eight blocks of hours.
        double blockHours = Math.Max(1, Math.Ceiling(settings.Hours / 8));
        var table = new ReportTable(
            $"Gets during churn: {Format.Percent(settings.ChurnPerHour, 0)} of the nodes leave (and as many join) per hour",
            "hours", "gets", "right value", "success", "latency ms p50", "p99", "nodes left", "nodes joined");
        int totalGets = 0, totalRight = 0;
        for (double from = 0; from < settings.Hours; from += blockHours)
        {
            double to = Math.Min(settings.Hours, from + blockHours);
            var block = samples.Where(s => s.Hour >= from && s.Hour < to).ToList();
            int gets = block.Sum(s => s.Gets);
            int right = block.Sum(s => s.Right);
            totalGets += gets;
            totalRight += right;
            var latency = Percentiles.Sorted(block.SelectMany(s => s.Latencies));
            table.Add(
                $"{Format.Number(from)}-{Format.Number(to)}", Format.Integer(gets), Format.Integer(right), Format.Percent(gets == 0 ? 1 : (double)right / gets),
                Format.Millis(Percentiles.Of(latency, 50)), Format.Millis(Percentiles.Of(latency, 99)),
                Format.Integer(block.Sum(s => s.Left)), Format.Integer(block.Sum(s => s.Joined)));
        }

        double success = totalGets == 0 ? 1 : (double)totalRight / totalGets;
        table.Add("all", Format.Integer(totalGets), Format.Integer(totalRight), Format.Percent(success), "", "", Format.Integer(samples.Sum(s => s.Left)), Format.Integer(samples.Sum(s => s.Joined)));
        report.Tables.Add(table);
        report.Checks.Add(new ReportCheck(
            $"gets of live keys that succeed under {Format.Percent(settings.ChurnPerHour, 0)} churn per hour", "≥ 99.9%", Format.Percent(success), success >= 0.999));
        var chart = new ReportChart(
            "churn-gets", $"Gets that succeed, {Format.Percent(settings.ChurnPerHour, 0)} churn per hour", "virtual hours", "success %",
            samples.Where(s => s.Gets > 0).Select(s => Format.Number(Math.Round(s.Hour, 2))).ToArray())
        { YMin = 90, YMax = 100 };
        chart.Add("success", samples.Where(s => s.Gets > 0).Select(s => 100.0 * s.Right / s.Gets));
        report.Charts.Add(chart);

        var recoveryStart = wall.Elapsed;
        MassDeparture(sim, keys, settings, report, progress);
        report.Host.Add(("recovery_seconds", Math.Round((wall.Elapsed - recoveryStart).TotalSeconds, 1)));
        ScenarioRunner.AddCounters(report, sim);
        report.Host.Add(("total_seconds", Math.Round(wall.Elapsed.TotalSeconds, 1)));
        return report;
    }

    private static List<Sample> RunChurn(SimulatedDht sim, KeySet keys, ScenarioSettings settings, ScenarioReport report, TextWriter? progress)
    {
        var start = sim.Clock.GetUtcNow();
        var end = start + TimeSpan.FromHours(settings.Hours);
        double perHour = settings.ChurnPerHour * settings.Nodes;
        var departed = new List<DhtEngine>();
        var samples = new List<Sample>();
        var pending = new List<Task>();
        int abandoned = 0, rejoined = 0;
        var nextChurn = perHour > 0 ? start + Exponential(sim.Random, perHour) : DateTimeOffset.MaxValue;
        var nextSample = start + settings.SampleInterval;
        var current = new Sample(0);
        while (true)
        {
            var next = Min(Min(nextChurn, nextSample), end);
            sim.Clock.RunUntil(next);
            if (next == end)
            {
                break;
            }

            if (next == nextSample)
            {
                samples.Add(current);
                current = StartSample(sim, keys, settings.Gets, (next - start).TotalHours, pending, () => abandoned++);
                nextSample += settings.SampleInterval;
                continue;
            }

            // One leaves without warning; one joins, new or returning with its old state.
            var gone = sim.KillAt(sim.Random.Next(sim.Nodes.Count));
            current.Left++;
            Task joined;
            if (departed.Count > 0 && sim.Random.Next(2) == 0)
            {
                int index = sim.Random.Next(departed.Count);
                var back = departed[index];
                departed[index] = departed[^1];
                departed.RemoveAt(departed.Count - 1);
                var via = sim.Nodes[sim.Random.Next(sim.Nodes.Count)];
                joined = sim.Restart(back, via.LocalEndPoint).BootstrapAsync();
                rejoined++;
            }
            else
            {
                sim.JoinNew(out var bootstrap);
                joined = bootstrap;
            }

            departed.Add(gone);
            if (departed.Count > settings.Nodes)
            {
                // Long gone: it will not come back, and its state need not be kept.
                sim.Forget(departed[0]);
                departed.RemoveAt(0);
            }

            // Joins are not waited for: a node may leave again before its bootstrap has finished.
            _ = Observe(joined);
            current.Joined++;
            nextChurn += Exponential(sim.Random, perHour);
            if (pending.Count > 4096)
            {
                pending.RemoveAll(t => t.IsCompleted);
            }
        }

        samples.Add(current);
        // A get still unfinished ten virtual minutes after the run counts as failed (its asking node may have
        // left; see gets_unfinished in the report).
        var all = Task.WhenAll(pending);
        sim.Clock.RunUntil(() => all.IsCompleted, TimeSpan.FromMinutes(10));
        int unfinished = pending.Count(t => !t.IsCompleted);
        samples[^1].Gets += unfinished;
        report.Metrics.Add(("gets_unfinished", unfinished));
        report.Metrics.Add(("gets_abandoned", abandoned));
        report.Metrics.Add(("nodes_rejoined_with_old_state", rejoined));
        progress?.WriteLine($"churn: {settings.Hours} h at {settings.ChurnPerHour:P0}/h done, {samples.Sum(s => s.Right)}/{samples.Sum(s => s.Gets)} gets right");
        return samples;
    }

    private static Sample StartSample(SimulatedDht sim, KeySet keys, int gets, double hour, List<Task> pending, Action onAbandoned)
    {
        var sample = new Sample(hour);
        for (int i = 0; i < gets; i++)
        {
            string key = keys.Keys[sim.Random.Next(keys.Keys.Count)];
            var reader = sim.Nodes[sim.Random.Next(sim.Nodes.Count)];
            pending.Add(Probe.Start(sim, () => reader.GetAsync(key), outcome =>
            {
                if (outcome.Abandoned)
                {
                    onAbandoned();
                    return;
                }

                sample.Gets++;
                sample.Latencies.Add(outcome.Elapsed.TotalMilliseconds);
                if (KeySet.IsRight(key, outcome.Result))
                {
                    sample.Right++;
                }
            }));
        }

        return sample;
    }

    private static void MassDeparture(SimulatedDht sim, KeySet keys, ScenarioSettings settings, ScenarioReport report, TextWriter? progress)
    {
        var (baseline, baselineLost) = keys.Replication(sim);
        int leaving = (int)(settings.MassDeparture * sim.Nodes.Count);
        for (int i = 0; i < leaving; i++)
        {
            sim.KillAt(sim.Random.Next(sim.Nodes.Count));
        }

        var departedAt = sim.Clock.GetUtcNow();
        var table = new ReportTable(
            $"After {Format.Percent(settings.MassDeparture, 0)} of the nodes leave at once (before: {Format.Percent(baseline, 1)} of keys on all {KeySet.K} closest live nodes, {baselineLost} lost)",
            "after", "gets", "success", $"keys on all {KeySet.K} closest", "keys lost");
        var labels = new List<string>();
        var successSeries = new List<double>();
        var replicatedSeries = new List<double>();
        TimeSpan? recoveredAt = null;
        for (var at = TimeSpan.Zero; at <= settings.RecoveryWindow; at += RecoverySample)
        {
            sim.Clock.RunUntil(departedAt + at);
            var (replicated, lost) = keys.Replication(sim);
            var gets = Enumerable.Range(0, settings.Gets)
                .Select(_ => (keys.Keys[sim.Random.Next(keys.Keys.Count)], sim.Nodes[sim.Random.Next(sim.Nodes.Count)]))
                .ToList();
            var outcomes = KeySet.GetAll(sim, gets);
            int right = gets.Where((g, i) => KeySet.IsRight(g.Item1, outcomes[i].Result)).Count();
            double success = (double)right / gets.Count;
            bool recovered = success >= 0.999 && lost == 0 && replicated >= Math.Min(baseline, 0.99);
            if (recovered)
            {
                recoveredAt ??= at;
            }
            else
            {
                recoveredAt = null;
            }

            table.Add(Format.Duration(at), Format.Integer(gets.Count), Format.Percent(success), Format.Percent(replicated, 1), Format.Integer(lost));
            labels.Add(Format.Number(at.TotalMinutes));
            successSeries.Add(success * 100);
            replicatedSeries.Add(replicated * 100);
        }

        report.Tables.Add(table);
        report.Metrics.Add(("recovery_minutes", recoveredAt?.TotalMinutes ?? -1));
        string measured = recoveredAt is { } r ? Format.Duration(r) : $"not within {Format.Duration(settings.RecoveryWindow)}";
        report.Checks.Add(new ReportCheck(
            $"recovery after {Format.Percent(settings.MassDeparture, 0)} leave at once (gets ≥ 99.9%, no key lost, keys back on their {KeySet.K} closest)",
            $"within {Format.Duration(settings.RecoveryWindow)}", measured, recoveredAt is not null));
        var chart = new ReportChart(
            "churn-recovery", $"Recovery after {Format.Percent(settings.MassDeparture, 0)} of the nodes leave at once", "minutes after", "%", labels)
        { YMax = 100 };
        chart.Add("gets that succeed", successSeries);
        chart.Add($"keys on all {KeySet.K} closest", replicatedSeries);
        report.Charts.Add(chart);
        progress?.WriteLine($"churn: recovery after mass departure: {measured}");
    }

    private static Task Observe(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private static TimeSpan Exponential(Random random, double perHour) =>
        TimeSpan.FromHours(-Math.Log(1 - random.NextDouble()) / perHour);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private sealed class Sample(double hour)
    {
        public double Hour { get; } = hour;

        public int Gets { get; set; }

        public int Right { get; set; }

        public int Left { get; set; }

        public int Joined { get; set; }

        public List<double> Latencies { get; } = [];
    }
}
