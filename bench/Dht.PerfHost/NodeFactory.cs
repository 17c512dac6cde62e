using System.Net;
using Dht.Protocol;

namespace Dht.PerfHost;

/// <summary>Options for nodes on 127.0.0.1.</summary>
internal static class NodeFactory
{
    public static DhtOptions Loopback(int port, bool raiseRateLimit, IEnumerable<NetEndPoint>? bootstrap = null, bool sharedReceiveThread = true)
    {
        var options = new DhtOptions
        {
            ListenAddress = IPAddress.Loopback,
            Port = port,
        };
        options.Transport.SharedReceiveThread = sharedReceiveThread;

        if (raiseRateLimit)
        {
            // The load generator is one source; like libtorrent's dht_block_ratelimit, the limits (queries and
            // reply bytes) are raised so the sweep measures the packet path, not the flood protection. (Loopback
            // sources are not limited by default anyway, DhtOptions.RateLimitLoopback; this holds if that changes.)
            options.MaxQueriesPerSecondPerIp = 100_000_000;
            options.MaxReplyBytesPerSecondPerIp = int.MaxValue / 4;
        }

        // Every node of a loopback network shares 127.0.0.1, so the per-source storage quota would count the
        // whole network as one source.
        options.StorageLimits.MaxItemsPerSourceIp = options.StorageLimits.MaxItems;
        foreach (var b in bootstrap ?? [])
        {
            options.BootstrapNodes.Add(b);
        }

        return options;
    }
}
