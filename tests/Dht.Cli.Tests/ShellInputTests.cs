using System.Net;
using System.Text;
using Dht.Cli.Input;
using Dht.Protocol;

namespace Dht.Cli.Tests;

/// <summary>
/// Shell input is kept exactly or refused clearly: what a put stores is checked byte for byte at the node that
/// holds it, and every refusal names the line and lets the shell go on.
/// </summary>
public sealed class ShellInputTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly CancellationTokenSource _cts = new(Bound);
    private DhtNode _node = null!;
    private DhtNode _holder = null!;

    public async Task InitializeAsync()
    {
        _node = new DhtNode(new DhtOptions { Port = 0, ListenAddress = IPAddress.Loopback });
        _holder = new DhtNode(new DhtOptions { Port = 0, ListenAddress = IPAddress.Loopback });
        await _node.StartAsync(_cts.Token);
        await _holder.StartAsync(_cts.Token);
        Assert.True((await _node.PingAsync(_holder.LocalEndPoint, _cts.Token)).Answered);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        await _holder.DisposeAsync();
        _cts.Dispose();
    }

    [Theory]
    [InlineData("put \"my key\" value", "my key", "value")]
    [InlineData("put key  leading and trailing  ", "key", " leading and trailing  ")]
    [InlineData("put key\ttab separated", "key", "tab separated")]
    [InlineData("put key \"  quoted, with \\\"quotes\\\"  \"", "key", "  quoted, with \"quotes\"  ")]
    [InlineData("put \"--signed\" a key that looks like an option", "--signed", "a key that looks like an option")]
    [InlineData("put key with CRLF\r", "key", "with CRLF")]
    [InlineData("put clé valeur é", "clé", "valeur é")]
    public async Task Put_StoresExactlyWhatTheRulesSay(string line, string key, string value)
    {
        var (output, error) = await RunAsync(line + "\n");

        Assert.True(error.Length == 0, error);
        Assert.StartsWith($"Stored key '{key}' at ", output, StringComparison.Ordinal);
        var held = _holder.HeldValues().Single(v => v.Target == NodeId.FromKey(key));
        Assert.Equal(Encoding.UTF8.GetBytes(value), held.Value.ToArray());
    }

    [Fact]
    public async Task Get_OfAQuotedKey_FindsIt()
    {
        var (output, _) = await RunAsync("put \"my key\" my value\nget \"my key\"\n");

        Assert.EndsWith("Value: my value\n", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("put \"my key value", "Usage: put KEY VALUE, put --signed NAME VALUE or put --immutable VALUE (missing closing quote)")]
    [InlineData("put \"my\"key value", "Usage: put KEY VALUE, put --signed NAME VALUE or put --immutable VALUE (a closing quote must be followed by a space)")]
    [InlineData("put key \"value\" more", "Usage: put KEY VALUE (only spaces may follow a quoted value)")]
    [InlineData("put \"\" value", "Usage: put KEY VALUE (the key must not be empty)")]
    [InlineData("put key", "Usage: put KEY VALUE (the value is missing)")]
    [InlineData("put key ", "Usage: put KEY VALUE (the value is missing)")]
    [InlineData("put key \"\"", "Usage: put KEY VALUE (the value is empty)")]
    [InlineData("put --immutable", "Usage: put --immutable VALUE (the value is missing)")]
    [InlineData("put --signed", "Usage: put --signed NAME VALUE (the name is missing)")]
    [InlineData("put --frobnicate k v", "Error: unknown option --frobnicate (quote a key that starts with --). Usage: put KEY VALUE, put --signed NAME VALUE or put --immutable VALUE")]
    [InlineData("get --signed motd", "Error: get has no --signed: a signed value is read with get PUBKEY/NAME, as put --signed prints it")]
    [InlineData("get --signed", "Error: get has no --signed: a signed value is read with get PUBKEY/NAME, as put --signed prints it")]
    [InlineData("get two words", "Usage: get KEY|HASH|PUBKEY/NAME")]
    [InlineData("delete --all", "Error: unknown option --all (quote a key that starts with --). Usage: delete KEY")]
    public async Task MalformedCommand_IsRefusedWithTheReason_AndSendsNothing(string line, string message)
    {
        long sentBefore = _node.Counters.TotalQueriesSent;

        var (output, error) = await RunAsync(line + "\nhelp\n");

        Assert.Equal(message + "\n", error);
        Assert.StartsWith("Commands:", output, StringComparison.Ordinal);
        Assert.Equal(sentBefore, _node.Counters.TotalQueriesSent);
    }

    [Fact]
    public async Task InvalidUtf8_IsRefused_AndTheShellGoesOn()
    {
        byte[] script = [.. "put k "u8, 0xC3, 0x28, (byte)'\n', .. "put k ok\n"u8];

        var (output, error) = await RunAsync(script);

        Assert.Equal("Error: line 1 is not valid UTF-8; refused\n", error);
        Assert.StartsWith("Stored key 'k' at ", output, StringComparison.Ordinal);
        Assert.Equal("ok"u8.ToArray(), _holder.HeldValues().Single().Value.ToArray());
    }

    [Fact]
    public async Task VeryLongLine_IsRefusedWithoutBeingEchoed_AndTheShellGoesOn()
    {
        string huge = "put k " + new string('x', 4_000_000);

        var (output, error) = await RunAsync($"{huge}\nhelp\n");

        Assert.Equal("Error: line 1 is longer than 16384 bytes; refused\n", error);
        Assert.StartsWith("Commands:", output, StringComparison.Ordinal);
        Assert.Empty(_holder.HeldValues());
    }

    [Fact]
    public async Task UnknownCommand_EchoesOnlyAShortPrefix()
    {
        string name = new('q', 10_000);

        var (_, error) = await RunAsync($"{name} and more\n");

        Assert.Equal($"Unknown command: {new string('q', 32)}… (10000 characters). Type 'help' for the list of commands.\n", error);
    }

    [Fact]
    public async Task NamedValuesOff_RefusesNamedCommands_WithTheReason()
    {
        long sentBefore = _node.Counters.TotalQueriesSent;
        await using var output = new StringWriter();
        await using var error = new StringWriter();
        var shell = new Shell(_node, output, error, new ShellOptions { NamedValues = false });

        await shell.RunConcurrentAsync(Lines("put k v\nget k\ndelete k\n"u8.ToArray()), _cts.Token).WaitAsync(_cts.Token);

        string[] lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("Error: named values are turned off on this node (--named-values false)", l, StringComparison.Ordinal));
        Assert.Equal(sentBefore, _node.Counters.TotalQueriesSent);
    }

    [Fact]
    public async Task Delete_SaysWhetherThereWasAValue_AndGetThenSaysDeleted()
    {
        var (output, _) = await RunAsync("put k v\ndelete k\nget k\ndelete never-put\ndelete k\n");

        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("Deleted key 'k': tombstone stored at ", lines[1], StringComparison.Ordinal);
        Assert.Equal("Not found: k (deleted)", lines[2]);
        Assert.StartsWith("No value found for key 'never-put'; tombstone stored at ", lines[3], StringComparison.Ordinal);
        Assert.StartsWith("No value found for key 'k'; tombstone stored at ", lines[4], StringComparison.Ordinal);
    }

    private Task<(string Output, string Error)> RunAsync(string script) => RunAsync(Encoding.UTF8.GetBytes(script));

    private async Task<(string Output, string Error)> RunAsync(byte[] script)
    {
        await using var output = new StringWriter();
        await using var error = new StringWriter();
        var shell = new Shell(_node, output, error);
        await shell.RunConcurrentAsync(Lines(script), _cts.Token).WaitAsync(_cts.Token);
        return (output.ToString(), error.ToString());
    }

    private static LineReader Lines(byte[] script) => new(new MemoryStream(script), new ShellOptions().MaxLineLength);
}
