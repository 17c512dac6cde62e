using System.Diagnostics.Metrics;
using System.Net;
using Dht.Protocol;

namespace Dht.Tests.Loopback;

/// <summary>A few started nodes on 127.0.0.1, each joined through every earlier one; disposed together.</summary>
internal sealed class LoopbackCluster : IAsyncDisposable
{
    private LoopbackCluster(List<DhtNode> nodes) => Nodes = nodes;

    public IReadOnlyList<DhtNode> Nodes { get; }

    public DhtNode this[int index] => Nodes[index];

    public static async Task<LoopbackCluster> StartAsync(int count, CancellationToken cancellationToken, IMeterFactory? meterFactory = null)
    {
        List<DhtNode> nodes = [];
        var cluster = new LoopbackCluster(nodes);
        try
        {
            for (int i = 0; i < count; i++)
            {
                var node = new DhtNode(Options([.. nodes.Select(n => n.LocalEndPoint)]), meterFactory: meterFactory);
                nodes.Add(node);
                await node.StartAsync(cancellationToken);
                if (i > 0)
                {
                    var joined = await node.BootstrapAsync(cancellationToken);
                    Assert.True(joined.BootstrapNodesReached > 0, $"node {i} reached no node");
                }
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Options for a node on a free loopback port that joins through <paramref name="bootstrap"/>.</summary>
    public static DhtOptions Options(params NetEndPoint[] bootstrap)
    {
        var options = new DhtOptions { Port = 0, ListenAddress = IPAddress.Loopback };
        foreach (var b in bootstrap)
        {
            options.BootstrapNodes.Add(b);
        }

        return options;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
    }
}
