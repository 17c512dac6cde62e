using System.Net;
using Dht.Protocol;

namespace Dht.Tests.Loopback;

/// <summary>Real nodes over real UDP sockets on 127.0.0.1.</summary>
public sealed class LoopbackNetworkTests
{
    // mixed: every other node has a receive thread of its own instead of the process's shared one.
    [Theory]
    [InlineData(false, 61)]
    [InlineData(true, 62)]
    public async Task TwentyNodesOverUdp_FindNodeAndGetPeersWork(bool mixed, int seed)
    {
        // Node ids come from the seed, so a failure can be replayed with the same network.
        var random = new Random(seed);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = cts.Token;
        List<DhtNode> nodes = [];
        try
        {
            for (int i = 0; i < 20; i++)
            {
                var options = new DhtOptions { Port = 0, ListenAddress = IPAddress.Loopback, NodeId = NodeId.CreateRandom(random) };
                options.Transport.SharedReceiveThread = !mixed || i % 2 == 0;
                // Each joins through up to three earlier nodes.
                for (int j = Math.Max(0, i - 3); j < i; j++)
                {
                    options.BootstrapNodes.Add(nodes[j].LocalEndPoint);
                }

                var node = new DhtNode(options);
                nodes.Add(node);
                await node.StartAsync(ct);
                if (i > 0)
                {
                    var joined = await node.BootstrapAsync(ct);
                    Assert.True(joined.BootstrapNodesReached > 0, $"node {i} reached no bootstrap node (seed {seed})");
                }
            }

            // Every node's lookup of every other node's id finds it.
            var allIds = nodes.Select(n => n.Id).ToHashSet();
            for (int i = 0; i < nodes.Count; i++)
            {
                var target = nodes[(i + 7) % nodes.Count].Id;
                var result = await nodes[i].FindNodeAsync(target, ct);
                var expected = allIds.Where(id => id != nodes[i].Id).OrderBy(id => id ^ target).Take(8).ToList();
                var got = result.ClosestNodes.Select(n => n.Id).ToList();
                Assert.True(expected.SequenceEqual(got), $"lookup from node {i} (seed {seed}): expected {string.Join(' ', expected)}, got {string.Join(' ', got)}");
            }

            var infoHash = NodeId.FromKey("loopback-swarm");
            var announced = await nodes[3].AnnounceAsync(infoHash, 40000, ct);
            Assert.True(announced.NodesAccepted >= 1);
            List<NetEndPoint> peers = [];
            await foreach (var p in nodes[17].GetPeersAsync(infoHash, ct))
            {
                peers.Add(p);
            }

            Assert.Contains(nodes[3].LocalEndPoint.WithPort(40000), peers);
        }
        finally
        {
            foreach (var n in nodes)
            {
                await n.DisposeAsync();
            }
        }
    }
}
