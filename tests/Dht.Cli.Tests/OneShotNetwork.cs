using System.Globalization;

namespace Dht.Cli.Tests;

/// <summary>
/// Three <c>dht --no-shell --in-memory</c> processes on 127.0.0.1, each joining through the ones before, for the
/// one-shot commands to talk to. Disposing kills every process.
/// </summary>
public sealed class OneShotNetwork : IAsyncLifetime
{
    private const int Size = 3;
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(60);

    private readonly List<DhtProcess> _nodes = [];

    /// <summary>The <c>127.0.0.1:PORT</c> of each node.</summary>
    public List<string> EndPoints { get; } = [];

    /// <summary>The node id of each node, as it printed it.</summary>
    public List<string> Ids { get; } = [];

    internal IReadOnlyList<DhtProcess> Nodes => _nodes;

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(StartBound);
        for (int i = 0; i < Size; i++)
        {
            string port = FreeUdpPort.Next().ToString(CultureInfo.InvariantCulture);
            // Default limits: loopback sources are not rate-limited (DhtOptions.RateLimitLoopback).
            var node = DhtProcess.Start([port, .. EndPoints, "--bind", "127.0.0.1", "--no-shell", "--in-memory"]);
            _nodes.Add(node); // before waiting, so a node that fails to start is still killed
            string idLine = await node.WaitForLineAsync(l => l.StartsWith("Node ID:", StringComparison.Ordinal), cts.Token);
            Assert.False(node.Output.Contains("no bootstrap node answered", StringComparison.Ordinal), node.Transcript);
            Ids.Add(idLine["Node ID:".Length..].Trim());
            EndPoints.Add($"127.0.0.1:{port}");
        }
    }

    public async Task DisposeAsync() => await Task.WhenAll(_nodes.Select(n => n.DisposeAsync().AsTask()));
}
