using Dht.Protocol;

namespace Dht.PerfHost;

/// <summary>A loopback network of our nodes in one process, as the end-to-end modes start it.</summary>
internal static class LoopbackNodes
{
    /// <summary>
    /// Starts <paramref name="count"/> nodes, each joining through the (up to) three before it, then lets every
    /// node look itself up once more so early nodes know late ones. The caller disposes the nodes.
    /// </summary>
    public static async Task<List<DhtNode>> StartAsync(int count, bool sharedReceiveThread, CancellationToken cancellationToken)
    {
        var nodes = new List<DhtNode>();
        try
        {
            var endPoints = new List<NetEndPoint>();
            for (int i = 0; i < count; i++)
            {
                var node = new DhtNode(NodeFactory.Loopback(0, raiseRateLimit: false, endPoints.TakeLast(3), sharedReceiveThread));
                nodes.Add(node);
                await node.StartAsync(cancellationToken);
                if (i > 0)
                {
                    await node.BootstrapAsync(cancellationToken);
                }

                endPoints.Add(node.LocalEndPoint);
            }

            await Task.WhenAll(nodes.Select(n => n.FindNodeAsync(n.Id, cancellationToken)));
            return nodes;
        }
        catch
        {
            await DisposeAllAsync(nodes);
            throw;
        }
    }

    public static async Task DisposeAllAsync(IEnumerable<DhtNode> nodes)
    {
        foreach (var node in nodes)
        {
            await node.DisposeAsync();
        }
    }
}
