using System.Diagnostics;
using System.Globalization;
using Dht.Protocol;

namespace Dht.PerfHost;

/// <summary>The node under load, warmed with contacts, reporting its own resource use every second.</summary>
internal static class ServeMode
{
    public static async Task<int> RunAsync(HostArguments args, CancellationToken cancellationToken)
    {
        int port = args.Int("port", 0);
        int contactCount = args.Int("contacts", 16);
        bool ownThreads = args.Int("own-receive-threads", 0) != 0; // 1: a receive thread per node, for comparison
        await using var target = new DhtNode(NodeFactory.Loopback(port, raiseRateLimit: true, sharedReceiveThread: !ownThreads));
        await target.StartAsync(cancellationToken);
        var contacts = new List<DhtNode>();
        try
        {
            var endPoints = new List<NetEndPoint> { target.LocalEndPoint };
            for (int i = 0; i < contactCount; i++)
            {
                // Each contact joins through the target and the two contacts before it.
                var node = new DhtNode(NodeFactory.Loopback(0, raiseRateLimit: false, endPoints.TakeLast(3), sharedReceiveThread: !ownThreads));
                contacts.Add(node);
                await node.StartAsync(cancellationToken);
                await node.BootstrapAsync(cancellationToken);
                endPoints.Add(node.LocalEndPoint);
            }

            // Querying the contacts makes them good contacts of the target (they only queried it so far).
            await target.FindNodeAsync(target.Id, cancellationToken);
            var status = target.GetStatus();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"event\":\"ready\",\"port\":{target.LocalEndPoint.Port},\"contacts\":{status.Contacts},\"pid\":{Environment.ProcessId}}}"));

            // Environment.CpuUsage and WorkingSet read one small /proc file each; Process.Refresh would enumerate
            // every thread of the process each second, which perturbs the node under measurement.
            var started = Stopwatch.StartNew();
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                var c = target.Counters;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{{\"event\":\"stats\",\"t\":{started.Elapsed.TotalSeconds:0.000},\"received\":{c.DatagramsReceived},\"sent\":{c.DatagramsSent}," +
                    $"\"queries\":{c.TotalQueriesReceived},\"rate_limited\":{c.RateLimited},\"allocated\":{GC.GetTotalAllocatedBytes(precise: false)}," +
                    $"\"gen0\":{GC.CollectionCount(0)},\"gen1\":{GC.CollectionCount(1)},\"gen2\":{GC.CollectionCount(2)}," +
                    $"\"cpu_ms\":{Environment.CpuUsage.TotalTime.TotalMilliseconds:0},\"rss\":{Environment.WorkingSet},\"heap\":{GC.GetTotalMemory(false)}}}"));
            }
        }
        finally
        {
            foreach (var node in contacts)
            {
                await node.DisposeAsync();
            }
        }

        return 0;
    }
}
