using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Dht.Cli.Tests;

/// <summary>
/// A node's shell fed by a pipe, as real processes: commands run concurrently yet print in input order, later
/// commands on a key see earlier ones, errors go to standard error in order, and the node is a full node.
/// </summary>
[Collection(OneShotCollection.Name)]
public sealed partial class PipedShellTests(OneShotNetwork network, ITestOutputHelper log)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task PipedScript_PrintsInInputOrder_AndEachGetSeesThePutBeforeIt()
    {
        using var cts = new CancellationTokenSource(Bound);
        string run = Guid.NewGuid().ToString("N")[..8];
        var script = new MemoryStream();
        var expectedOutput = new List<string>();
        var expectedErrors = new List<string>();
        for (int i = 0; i < 100; i++)
        {
            string key = $"{run}-{i}";
            Write(script, $"put {key} first {i}\nget {key}\nput {key} second {i}\nget {key}\n");
            expectedOutput.AddRange([$"Stored {key}", $"Value: first {i}", $"Stored {key}", $"Value: second {i}"]);
            if (i % 25 == 0)
            {
                Write(script, $"nonsense {i}\n");
                expectedErrors.Add("Unknown command: nonsense. Type 'help' for the list of commands.");
                script.Write([.. "put k "u8, 0xFF, (byte)'\n']);
                expectedErrors.Add($"Error: line {LineCount(script)} is not valid UTF-8; refused");
            }
        }

        Write(script, $"delete {run}-0\nget {run}-0\nquit\nget {run}-1\n");
        expectedOutput.AddRange([$"Deleted {run}-0", $"Not found: {run}-0 (deleted)"]);

        await using var node = DhtProcess.Start(Port(), network.EndPoints[0], "--bind", "127.0.0.1", "--in-memory");
        await node.SendBytesAndCloseInputAsync(script.ToArray(), cts.Token);
        int exit = await node.WaitForExitAsync(cts.Token);
        log.WriteLine(node.Transcript);

        Assert.True(exit == 0, node.Transcript);
        var answers = node.Output.Split('\n')
            .SkipWhile(l => !l.StartsWith("Node ID:", StringComparison.Ordinal)).Skip(1)
            .TakeWhile(l => l != "Shutting down")
            .Select(l => Normalize().Replace(l, "$1 $2"));
        Assert.Equal(expectedOutput, answers);
        Assert.Equal(expectedErrors, node.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task PipedNode_IsAFullNode_ThatOthersCanReach()
    {
        using var cts = new CancellationTokenSource(Bound);
        string port = Port();
        await using var node = DhtProcess.Start(port, network.EndPoints[0], "--bind", "127.0.0.1", "--in-memory");
        await node.SendAsync("status\n", cts.Token); // standard input stays open: the node keeps running
        await node.WaitForLineAsync(l => l.StartsWith("Stored:", StringComparison.Ordinal), cts.Token);

        var ping = await OneShot.RunAsync(log, "", "ping", $"127.0.0.1:{port}");

        Assert.Equal(0, ping.ExitCode); // a read-only node (BEP 43) would not answer
        Assert.StartsWith($"Pong from 127.0.0.1:{port} ", ping.Output, StringComparison.Ordinal);
    }

    private static void Write(MemoryStream stream, string text) => stream.Write(Encoding.UTF8.GetBytes(text));

    private static int LineCount(MemoryStream stream) => stream.ToArray().Count(b => b == (byte)'\n');

    private static string Port() => FreeUdpPort.Next().ToString(CultureInfo.InvariantCulture);

    /// <summary>"Stored key 'K' at N nodes" and "Deleted key 'K': tombstone stored at N nodes" without the node count (and this node's own copy), which depend on the network.</summary>
    [GeneratedRegex(@"^(Stored|Deleted) key '([^']+)'(?:: tombstone stored)? at \d+ nodes?(?: \(this one(?: and \d+ others?)?\))?$")]
    private static partial Regex Normalize();
}
