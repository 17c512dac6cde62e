using System.Net;
using System.Text;
using Dht.Cli.Editing;
using Dht.Cli.Input;
using Dht.Cli.Tests.Editing;

namespace Dht.Cli.Tests;

/// <summary>The shell over a real node on loopback: commands, usage errors, and how it ends.</summary>
public sealed class ShellTests : IAsyncLifetime
{
    private const string InfoHash = "0123456789abcdef0123456789abcdef01234567";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly CancellationTokenSource _cts = new(Bound);
    private DhtNode _node = null!;

    public async Task InitializeAsync()
    {
        _node = new DhtNode(new DhtOptions { Port = 0, ListenAddress = IPAddress.Loopback });
        await _node.StartAsync(_cts.Token);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _cts.Dispose();
    }

    [Fact]
    public async Task UnknownCommand_SaysSoAndTheShellGoesOn()
    {
        string output = await RunScriptAsync("frobnicate now\nstatus\n");

        int unknown = output.IndexOf("Unknown command: frobnicate.", StringComparison.Ordinal);
        int status = output.IndexOf("Node ID:", StringComparison.Ordinal);
        Assert.True(unknown >= 0, output);
        Assert.True(status > unknown, output);
        Assert.Contains("Type 'help'", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnANodeThatKnowsNoOne_ReadsSayNoNodeAnswered_NotNotFound_AndWritesAreKeptHere()
    {
        // A lone node is among the k closest to every key: it keeps what it writes (and says so).
        string output = await RunScriptAsync("get k\nput k v\ndelete k\nget 0123456789abcdef0123456789abcdef01234567\n");

        Assert.Equal(
            [
                "No node answered: whether k exists is unknown",
                "Stored key 'k' at 1 node (this one)",
                "Deleted key 'k': tombstone stored at 1 node (this one)",
                "No node answered: whether 0123456789abcdef0123456789abcdef01234567 exists is unknown",
            ],
            output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Help_ListsTheCommands()
    {
        string output = await RunScriptAsync("help\n");

        Assert.StartsWith("Commands:", output, StringComparison.Ordinal);
        foreach (string command in new[] { "help", "status", "ping HOST:PORT", "lookup ID|KEY", "announce INFOHASH [PORT]", "peers INFOHASH", "quit" })
        {
            Assert.Contains("  " + command + " ", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task PutOverTheLimit_IsRefusedWithTheLargestValue_AndSendsNothing()
    {
        // A contact to send to, so that "nothing sent" means the value was refused before any query.
        await using var other = await StartOtherAsync();
        long sentBefore = _node.Counters.TotalQueriesSent;

        var (output, error) = await RunScriptSplitAsync($"put big {new string('x', 997)}\nput --immutable {new string('y', 1000)}\nput --signed big {new string('z', 997)}\n");

        Assert.Equal("", output);
        Assert.Equal(
            [
                "Error: the value is 997 bytes; the largest value is 996 bytes (1000 bytes with its length prefix, the protocol's limit)",
                "Error: the value is 1000 bytes; the largest value is 996 bytes (1000 bytes with its length prefix, the protocol's limit)",
                "Error: the value is 997 bytes; the largest value is 996 bytes (1000 bytes with its length prefix, the protocol's limit)",
            ],
            Split(error));
        Assert.Equal(sentBefore, _node.Counters.TotalQueriesSent);
    }

    [Fact]
    public async Task PutOfTheLargestValue_IsStored()
    {
        await using var other = await StartOtherAsync();

        string output = await RunScriptAsync($"put big {new string('x', 996)}\n");

        Assert.StartsWith("Stored key 'big' at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commands_AreCaseInsensitive()
    {
        string output = await RunScriptAsync("HELP\n");

        Assert.StartsWith("Commands:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_ShowsIdAddressAndContacts()
    {
        string output = await RunScriptAsync("status\n");

        Assert.Contains($"Node ID:    {_node.Id}", output, StringComparison.Ordinal);
        Assert.Contains($"Address:    {_node.LocalEndPoint}", output, StringComparison.Ordinal);
        Assert.Contains("Contacts:   0 in ", output, StringComparison.Ordinal);
        Assert.Contains("Stored:     0 value(s), 0 bytes; 0 BEP 44 item(s), 0 bytes; 0 peer(s) for 0 info-hash(es)", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ping")]
    [InlineData("ping nohostport")]
    [InlineData("ping 127.0.0.1:0")]
    [InlineData("ping 127.0.0.1:70000")]
    [InlineData("ping 127.0.0.1:")]
    public async Task Ping_WithMalformedEndPoint_PrintsUsage(string line)
    {
        string output = await RunScriptAsync(line + "\n");

        Assert.StartsWith("Usage: ping HOST:PORT", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("announce")]
    [InlineData("announce 1234")]
    [InlineData("announce not-a-hash-at-all")]
    [InlineData("announce " + InfoHash + " 0")]
    [InlineData("announce " + InfoHash + " 70000")]
    [InlineData("announce " + InfoHash + " port")]
    [InlineData("announce " + InfoHash + " 6881 extra")]
    public async Task Announce_WithMalformedArguments_PrintsUsage(string line)
    {
        string output = await RunScriptAsync(line + "\n");

        Assert.StartsWith("Usage: announce INFOHASH [PORT]", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("peers")]
    [InlineData("peers 1234")]
    [InlineData("peers " + InfoHash + "00")]
    [InlineData("peers zz23456789abcdef0123456789abcdef01234567")]
    public async Task Peers_WithMalformedInfoHash_PrintsUsage(string line)
    {
        string output = await RunScriptAsync(line + "\n");

        Assert.StartsWith("Usage: peers INFOHASH", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_WithoutArgument_PrintsUsage()
    {
        string output = await RunScriptAsync("lookup\n");

        Assert.StartsWith("Usage: lookup ID|KEY", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsageErrors_DoNotStopTheShell()
    {
        string output = await RunScriptAsync("ping\nannounce\npeers\nlookup\nstatus\n");

        Assert.Contains("Node ID:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ping_OfAnotherNode_GetsPong()
    {
        await using var other = new DhtNode(new DhtOptions { Port = 0, ListenAddress = IPAddress.Loopback });
        await other.StartAsync(_cts.Token);

        string output = await RunScriptAsync($"ping 127.0.0.1:{other.LocalEndPoint.Port}\n");

        Assert.StartsWith($"Pong from 127.0.0.1:{other.LocalEndPoint.Port} ({other.Id})", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("quit")]
    [InlineData("exit")]
    [InlineData("QUIT")]
    public async Task Quit_EndsTheShellBeforeLaterCommands(string quit)
    {
        string output = await RunScriptAsync($"help\n{quit}\nstatus\n");

        Assert.Contains("Commands:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Node ID:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quit_ReturnsFalseFromExecute()
    {
        var shell = new Shell(_node, TextWriter.Null, TextWriter.Null);

        Assert.False(await shell.ExecuteAsync("quit", _cts.Token));
        Assert.True(await shell.ExecuteAsync("no-such-command", _cts.Token));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n   \n")]
    [InlineData("# a comment\n")]
    public async Task EmptyLinesAndComments_PrintNothing(string script)
    {
        string output = await RunScriptAsync(script);

        Assert.Equal("", output);
    }

    [Fact]
    public async Task EndOfInput_EndsTheShell()
    {
        // No quit: the shell must return once the reader is exhausted, as it does for a closed pipe.
        string output = await RunScriptAsync("status");

        Assert.Contains("Node ID:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Interactive_PromptsBeforeEachLine_AndRunsWhatWasTyped()
    {
        await using var output = new StringWriter();
        var shell = new Shell(_node, output, output);
        var keys = new ScriptedTerminal("help\r");
        var editor = new LineEditor(keys, output, new LineBuffer(100, 10));

        await shell.RunSequentialAsync(editor, _cts.Token).WaitAsync(_cts.Token);

        string text = output.ToString();
        Assert.StartsWith("\r> ", text, StringComparison.Ordinal);
        Assert.Contains("\r> help", text, StringComparison.Ordinal);
        Assert.Contains("Commands:", text, StringComparison.Ordinal);
        Assert.True(text.LastIndexOf("\r> ", StringComparison.Ordinal) > text.IndexOf("Commands:", StringComparison.Ordinal), text);
        Assert.Equal(["help"], editor.Buffer.History);
    }

    [Fact]
    public async Task Cancellation_EndsTheShell()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var shell = new Shell(_node, TextWriter.Null, TextWriter.Null);

        await shell.RunConcurrentAsync(Lines("status\n"), cancelled.Token).WaitAsync(_cts.Token);
    }

    [Fact]
    public async Task Cancellation_WhileBlockedReadingInput_EndsTheShell()
    {
        await using var input = new BlockingStream();
        using var stop = new CancellationTokenSource();
        var shell = new Shell(_node, TextWriter.Null, TextWriter.Null);

        var run = Task.Run(() => shell.RunConcurrentAsync(new LineReader(input, 1000), stop.Token), _cts.Token);
        await input.Reading.WaitAsync(_cts.Token);
        await stop.CancelAsync();

        await run.WaitAsync(_cts.Token);
        Assert.False(input.TimedOut, "the shell waited for the read instead of stopping");
    }

    private async Task<DhtNode> StartOtherAsync()
    {
        var other = new DhtNode(new DhtOptions { Port = 0, ListenAddress = IPAddress.Loopback });
        await other.StartAsync(_cts.Token);
        Assert.True((await _node.PingAsync(other.LocalEndPoint, _cts.Token)).Answered);
        return other;
    }

    /// <summary>Runs a piped script; answers and errors in one text, in the order they were printed.</summary>
    private async Task<string> RunScriptAsync(string script)
    {
        await using var output = new StringWriter();
        var shell = new Shell(_node, output, output);
        await shell.RunConcurrentAsync(Lines(script), _cts.Token).WaitAsync(_cts.Token);
        return output.ToString();
    }

    /// <summary>Runs a piped script; standard output and standard error apart.</summary>
    private async Task<(string Output, string Error)> RunScriptSplitAsync(string script)
    {
        await using var output = new StringWriter();
        await using var error = new StringWriter();
        var shell = new Shell(_node, output, error);
        await shell.RunConcurrentAsync(Lines(script), _cts.Token).WaitAsync(_cts.Token);
        return (output.ToString(), error.ToString());
    }

    private static LineReader Lines(string script) => new(new MemoryStream(Encoding.UTF8.GetBytes(script)), 16 * 1024);

    private static string[] Split(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
