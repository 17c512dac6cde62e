using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dht.Protocol;

namespace Dht.PerfHost;

/// <summary>
/// A loopback network of our nodes in one process: BEP 44 immutable puts from each node in turn, then gets of
/// every item from another node, one at a time, each timed from call to result.
/// </summary>
internal static class EndToEndMode
{
    public static async Task<int> RunAsync(HostArguments args, CancellationToken cancellationToken)
    {
        int count = args.Int("nodes", 50);
        int items = args.Int("items", 600);
        var random = new Random(args.Int("seed", 1));
        var nodes = new List<DhtNode>();
        var setup = Stopwatch.StartNew();
        try
        {
            var endPoints = new List<NetEndPoint>();
            for (int i = 0; i < count; i++)
            {
                // Each node joins through the (up to) three nodes before it.
                var node = new DhtNode(NodeFactory.Loopback(0, raiseRateLimit: false, endPoints.TakeLast(3)));
                nodes.Add(node);
                await node.StartAsync(cancellationToken);
                if (i > 0)
                {
                    await node.BootstrapAsync(cancellationToken);
                }

                endPoints.Add(node.LocalEndPoint);
            }

            // A second round once everyone is there, so early nodes know late ones.
            await Task.WhenAll(nodes.Select(n => n.FindNodeAsync(n.Id, cancellationToken)));
            double setupSeconds = setup.Elapsed.TotalSeconds;

            var puts = new List<double>();
            var gets = new List<double>();
            var targets = new List<NodeId>();
            int putOk = 0, found = 0, correct = 0;
            var values = new List<byte[]>();
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < items; i++)
            {
                var value = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"e2e item {i} {random.Next():x8}"));
                values.Add(value);
                var start = clock.Elapsed;
                var result = await nodes[i % count].PutImmutableAsync(value, cancellationToken);
                puts.Add((clock.Elapsed - start).TotalMilliseconds);
                targets.Add(result.Target);
                putOk += result.NodesStored > 0 ? 1 : 0;
            }

            for (int i = 0; i < items; i++)
            {
                var start = clock.Elapsed;
                var result = await nodes[(i + (count / 2)) % count].GetImmutableAsync(targets[i], cancellationToken);
                gets.Add((clock.Elapsed - start).TotalMilliseconds);
                found += result.Found ? 1 : 0;
                correct += result.Found && result.Value.Span.SequenceEqual(values[i]) ? 1 : 0;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"impl\":\"dht\",\"nodes\":{count},\"items\":{items},\"setup_s\":{setupSeconds:0.0},\"put_ok\":{putOk},\"found\":{found},\"correct\":{correct}," +
                $"\"put_p50_ms\":{Percentiles.Of(puts, 0.5):0.000},\"put_p99_ms\":{Percentiles.Of(puts, 0.99):0.000}," +
                $"\"get_p50_ms\":{Percentiles.Of(gets, 0.5):0.000},\"get_p99_ms\":{Percentiles.Of(gets, 0.99):0.000}}}"));
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }

        return 0;
    }
}
