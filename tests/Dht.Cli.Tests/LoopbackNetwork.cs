using System.Globalization;

namespace Dht.Cli.Tests;

/// <summary>
/// A network of <c>dht --no-shell</c> processes on 127.0.0.1, grown one node at a time: each new node
/// joins through up to three of the nodes started before it. Disposing kills every process tree.
/// </summary>
internal sealed class LoopbackNetwork : IAsyncDisposable
{
    /// <summary>How many earlier nodes a new node is given to join through.</summary>
    private const int BootstrapFanIn = 3;

    private readonly List<DhtProcess> _nodes = [];
    private readonly List<string> _endPoints = [];

    public IReadOnlyList<DhtProcess> Nodes => _nodes;

    /// <summary>The <c>127.0.0.1:PORT</c> of each node, in the order they were started.</summary>
    public IReadOnlyList<string> EndPoints => _endPoints;

    /// <summary>Starts <paramref name="count"/> more nodes, each waited for until it prints its node id.</summary>
    public async Task GrowAsync(int count, CancellationToken cancellationToken)
    {
        for (int i = 0; i < count; i++)
        {
            string port = FreeUdpPort.Next().ToString(CultureInfo.InvariantCulture);
            // Default limits: loopback sources are not rate-limited (DhtOptions.RateLimitLoopback), so a client
            // storing at network speed is served; the storage quota stays at its default too.
            List<string> args = [port, .. _endPoints.TakeLast(BootstrapFanIn), "--bind", "127.0.0.1", "--no-shell"];
            var node = DhtProcess.Start([.. args]);
            _nodes.Add(node); // before waiting, so a node that fails to start is still killed on dispose
            await node.WaitForLineAsync(l => l.StartsWith("Node ID:", StringComparison.Ordinal), cancellationToken);
            Assert.True(
                !node.Output.Contains("Warning: no bootstrap node answered", StringComparison.Ordinal),
                $"node {_nodes.Count} joined no one\n{node.Transcript}");
            _endPoints.Add($"127.0.0.1:{port}");
        }
    }

    /// <summary>Fails with the transcript of the first node that has stopped: every node should still be running.</summary>
    public void AssertAllRunning()
    {
        for (int i = 0; i < _nodes.Count; i++)
        {
            Assert.False(_nodes[i].HasExited(), $"node {i + 1} exited\n{_nodes[i].Transcript}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Each DhtProcess bounds its own shutdown; stop them together rather than one after another.
        await Task.WhenAll(_nodes.Select(n => n.DisposeAsync().AsTask()));
    }
}
