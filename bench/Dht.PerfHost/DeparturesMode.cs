using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dht.Protocol;

namespace Dht.PerfHost;

/// <summary>
/// Departures on loopback: a network of our nodes in one process, all alive, runs BEP 44 immutable puts and
/// gets and named puts and gets from the nodes in turn; then a quarter of the nodes leave silently (disposed:
/// Kademlia has no goodbye) and the survivors at once run the same again, and once more. One JSON line per
/// phase and kind: what a user pays from the first operation after nodes leave.
/// </summary>
internal static class DeparturesMode
{
    public static async Task<int> RunAsync(HostArguments args, CancellationToken cancellationToken)
    {
        int count = args.Int("nodes", 50);
        int ops = args.Int("ops", 200);
        int leavePercent = args.Int("leave-percent", 25);
        double warmupSeconds = args.Int("warmup-seconds", 3);
        var random = new Random(args.Int("seed", 1));
        var nodes = await LoopbackNodes.StartAsync(count, sharedReceiveThread: true, cancellationToken);
        try
        {
            // Untimed, as in the e2e mode: the runtime compiles hot code to its optimised tier under load first.
            var warmup = Stopwatch.StartNew();
            while (warmup.Elapsed.TotalSeconds < warmupSeconds)
            {
                await RunPhaseAsync(nodes, 50, "warm-up", random, cancellationToken);
            }

            Report(await RunPhaseAsync(nodes, ops, "alive", random, cancellationToken), "alive", nodes.Count);
            var leaving = nodes.OrderBy(_ => random.Next()).Take(count * leavePercent / 100).ToList();
            await LoopbackNodes.DisposeAllAsync(leaving);
            nodes.RemoveAll(leaving.Contains);
            Report(await RunPhaseAsync(nodes, ops, "after-departures", random, cancellationToken), "after-departures", nodes.Count);
            Report(await RunPhaseAsync(nodes, ops, "again", random, cancellationToken), "again", nodes.Count);
        }
        finally
        {
            await LoopbackNodes.DisposeAllAsync(nodes);
        }

        return 0;
    }

    private static async Task<PhaseResult> RunPhaseAsync(List<DhtNode> nodes, int ops, string label, Random random, CancellationToken cancellationToken)
    {
        int count = nodes.Count;
        var result = new PhaseResult();
        var clock = Stopwatch.StartNew();
        var targets = new NodeId[ops];
        var values = new byte[ops][];
        for (int i = 0; i < ops; i++)
        {
            values[i] = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{label} item {i} {random.Next():x8}"));
            var start = clock.Elapsed;
            var put = await nodes[i % count].PutImmutableAsync(values[i], cancellationToken);
            result.Bep44.Puts.Add((clock.Elapsed - start).TotalMilliseconds);
            result.Bep44.PutOk += put.NodesStored > 0 ? 1 : 0;
            result.Bep44.Pending += put.NodesPending;
            targets[i] = put.Target;
        }

        for (int i = 0; i < ops; i++)
        {
            var start = clock.Elapsed;
            var get = await nodes[(i + (count / 2)) % count].GetImmutableAsync(targets[i], cancellationToken);
            result.Bep44.Gets.Add((clock.Elapsed - start).TotalMilliseconds);
            result.Bep44.Found += get.Found && get.Value.Span.SequenceEqual(values[i]) ? 1 : 0;
        }

        string run = random.Next().ToString("x8", CultureInfo.InvariantCulture);
        for (int i = 0; i < ops; i++)
        {
            var start = clock.Elapsed;
            var put = await nodes[i % count].PutAsync($"{label}-{run}-{i}", values[i], cancellationToken);
            result.Named.Puts.Add((clock.Elapsed - start).TotalMilliseconds);
            result.Named.PutOk += put.NodesStored > 0 ? 1 : 0;
            result.Named.Pending += put.NodesPending;
        }

        for (int i = 0; i < ops; i++)
        {
            var start = clock.Elapsed;
            var get = await nodes[(i + (count / 2)) % count].GetAsync($"{label}-{run}-{i}", cancellationToken);
            result.Named.Gets.Add((clock.Elapsed - start).TotalMilliseconds);
            result.Named.Found += get.Found && get.Value.Span.SequenceEqual(values[i]) ? 1 : 0;
        }

        return result;
    }

    private static void Report(PhaseResult result, string phase, int nodes)
    {
        foreach (var (kind, k) in new[] { ("bep44", result.Bep44), ("named", result.Named) })
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"impl\":\"dht\",\"mode\":\"departures\",\"phase\":\"{phase}\",\"kind\":\"{kind}\",\"nodes\":{nodes},\"ops\":{k.Puts.Count},\"put_ok\":{k.PutOk},\"put_pending\":{k.Pending},\"found\":{k.Found}," +
                $"\"put_p50_ms\":{Percentiles.Of(k.Puts, 0.5):0.000},\"put_p90_ms\":{Percentiles.Of(k.Puts, 0.9):0.000},\"put_p99_ms\":{Percentiles.Of(k.Puts, 0.99):0.000}," +
                $"\"get_p50_ms\":{Percentiles.Of(k.Gets, 0.5):0.000},\"get_p99_ms\":{Percentiles.Of(k.Gets, 0.99):0.000}}}"));
        }
    }

    private sealed class PhaseResult
    {
        public KindResult Bep44 { get; } = new();

        public KindResult Named { get; } = new();
    }

    private sealed class KindResult
    {
        public List<double> Puts { get; } = [];

        public List<double> Gets { get; } = [];

        public int PutOk { get; set; }

        /// <summary>Places the puts left to be written after they returned (nodes overtaken in their lookups).</summary>
        public int Pending { get; set; }

        public int Found { get; set; }
    }
}
