using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dht.Protocol;

namespace Dht.PerfHost;

/// <summary>
/// A loopback network of our nodes in one process: BEP 44 immutable puts from each node in turn, then gets of
/// every item from another node, one at a time, each timed from call to result. A warm-up of the same
/// operations on other items comes first and is not timed.
/// </summary>
internal static class EndToEndMode
{
    public static async Task<int> RunAsync(HostArguments args, CancellationToken cancellationToken)
    {
        int count = args.Int("nodes", 50);
        int items = args.Int("items", 600);
        double warmupSeconds = args.Int("warmup-seconds", 3);
        int seed = args.Int("seed", 1);
        bool ownThreads = args.Int("own-receive-threads", 0) != 0; // 1: a receive thread per node, for comparison
        var setup = Stopwatch.StartNew();
        var nodes = await LoopbackNodes.StartAsync(count, sharedReceiveThread: !ownThreads, cancellationToken);
        try
        {
            double setupSeconds = setup.Elapsed.TotalSeconds;

            // The runtime compiles hot code to its optimised tier during the first seconds of load (on two cores
            // the compiler competes with the nodes); the warm-up keeps that out of the measured operations, as
            // the throughput sweeps do.
            var warmup = Stopwatch.StartNew();
            var warmupRandom = new Random(seed + 1_000_003);
            int warmupItems = 0;
            while (warmup.Elapsed.TotalSeconds < warmupSeconds)
            {
                var w = await RunItemsAsync(nodes, 100, warmupRandom, "warm-up", cancellationToken);
                warmupItems += w.Puts.Count;
            }

            var r = await RunItemsAsync(nodes, items, new Random(seed), "e2e", cancellationToken);

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"impl\":\"dht\",\"nodes\":{count},\"items\":{items},\"warmup_items\":{warmupItems},\"setup_s\":{setupSeconds:0.0},\"put_ok\":{r.PutOk},\"found\":{r.Found},\"correct\":{r.Correct}," +
                $"\"put_p50_ms\":{Percentiles.Of(r.Puts, 0.5):0.000},\"put_p99_ms\":{Percentiles.Of(r.Puts, 0.99):0.000}," +
                $"\"get_p50_ms\":{Percentiles.Of(r.Gets, 0.5):0.000},\"get_p99_ms\":{Percentiles.Of(r.Gets, 0.99):0.000}}}"));
        }
        finally
        {
            await LoopbackNodes.DisposeAllAsync(nodes);
        }

        return 0;
    }

    private static async Task<ItemsResult> RunItemsAsync(List<DhtNode> nodes, int items, Random random, string label, CancellationToken cancellationToken)
    {
        int count = nodes.Count;
        var result = new ItemsResult();
        var targets = new List<NodeId>();
        var values = new List<byte[]>();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < items; i++)
        {
            var value = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{label} item {i} {random.Next():x8}"));
            values.Add(value);
            var start = clock.Elapsed;
            var put = await nodes[i % count].PutImmutableAsync(value, cancellationToken);
            result.Puts.Add((clock.Elapsed - start).TotalMilliseconds);
            targets.Add(put.Target);
            result.PutOk += put.NodesStored > 0 ? 1 : 0;
        }

        for (int i = 0; i < items; i++)
        {
            var start = clock.Elapsed;
            var get = await nodes[(i + (count / 2)) % count].GetImmutableAsync(targets[i], cancellationToken);
            result.Gets.Add((clock.Elapsed - start).TotalMilliseconds);
            result.Found += get.Found ? 1 : 0;
            result.Correct += get.Found && get.Value.Span.SequenceEqual(values[i]) ? 1 : 0;
        }

        return result;
    }

    private sealed class ItemsResult
    {
        public List<double> Puts { get; } = [];

        public List<double> Gets { get; } = [];

        public int PutOk { get; set; }

        public int Found { get; set; }

        public int Correct { get; set; }
    }
}
