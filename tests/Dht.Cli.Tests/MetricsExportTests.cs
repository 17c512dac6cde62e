using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit.Abstractions;

namespace Dht.Cli.Tests;

/// <summary>A node with an OTLP endpoint: it exports its meter "Dht", and starts and stops cleanly with no collector there.</summary>
public sealed class MetricsExportTests(ITestOutputHelper log)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("grpc")]
    [InlineData("http/protobuf")]
    public async Task WithNoCollectorListening_TheNodeStartsAndShutsDownCleanly(string protocol)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no SIGTERM to send
        }

        using var cts = new CancellationTokenSource(Bound);
        string endpoint = $"http://127.0.0.1:{ClosedTcpPort()}";
        await using var node = DhtProcess.Start("0", "--bind", "127.0.0.1", "--no-shell", "--otlp-endpoint", endpoint, "--otlp-protocol", protocol);
        await node.WaitForLineAsync(l => l.StartsWith("Node ID:", StringComparison.Ordinal), cts.Token);

        await node.SendTerminateSignalAsync(cts.Token);
        int exit = await node.WaitForExitAsync(cts.Token);
        log.WriteLine(node.Transcript);

        Assert.True(exit == 0, $"exit code {exit}\n{node.Transcript}");
        Assert.Contains($"Exporting metrics (meter Dht) with OTLP to {endpoint}", node.Output, StringComparison.Ordinal);
        Assert.EndsWith("Shutting down", node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AtShutdown_TheNodesCountersAreExportedOverHttp()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no SIGTERM to send
        }

        using var cts = new CancellationTokenSource(Bound);
        int port = ClosedTcpPort();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        var received = ReceiveMetricsAsync(collector, cts.Token);
        await using var node = DhtProcess.Start(
            "0", "--bind", "127.0.0.1", "--no-shell", "--otlp-endpoint", $"http://127.0.0.1:{port}", "--otlp-protocol", "http/protobuf");
        await node.WaitForLineAsync(l => l.StartsWith("Node ID:", StringComparison.Ordinal), cts.Token);

        await node.SendTerminateSignalAsync(cts.Token);
        var (path, body) = await received;
        int exit = await node.WaitForExitAsync(cts.Token);
        log.WriteLine(node.Transcript);

        Assert.Equal(0, exit);
        Assert.Equal("/v1/metrics", path);
        string text = Encoding.UTF8.GetString(body); // protobuf keeps names as UTF-8 bytes
        Assert.Contains("dht.queries.sent", text, StringComparison.Ordinal);
        Assert.Contains("dht.routing.contacts", text, StringComparison.Ordinal);
    }

    /// <summary>The first request that reaches the collector, answered with 200 so the exporter is satisfied.</summary>
    private static async Task<(string Path, byte[] Body)> ReceiveMetricsAsync(HttpListener collector, CancellationToken cancellationToken)
    {
        var context = await collector.GetContextAsync().WaitAsync(cancellationToken);
        using var body = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(body, cancellationToken);
        context.Response.StatusCode = 200;
        context.Response.Close();
        return (context.Request.Url!.AbsolutePath, body.ToArray());
    }

    /// <summary>A loopback TCP port with nothing listening on it a moment ago.</summary>
    private static int ClosedTcpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
