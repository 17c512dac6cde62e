using System.Globalization;
using Xunit.Abstractions;

namespace Dht.Cli.Tests;

/// <summary>The one-shot commands' messages and exit status when a request is wrong or unusual.</summary>
[Collection(OneShotCollection.Name)]
public sealed class OneShotMessageTests(OneShotNetwork network, ITestOutputHelper log)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("put", "k", "v")]
    [InlineData("get", "k")]
    [InlineData("delete", "k")]
    public async Task NamedValuesOff_IsAUsageError_WithTheReason(params string[] command)
    {
        var run = await RunAsync([.. command, "--named-values", "false", "-b", network.EndPoints[0]]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("needs named values, which are turned off (setting 'EnableNamedValues', command line --named-values)", run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Output);
    }

    [Fact]
    public async Task NamedValuesOff_StillGetsBep44Items()
    {
        var run = await RunAsync("get", new string('0', 40), "--named-values", "false", "-b", network.EndPoints[0]);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"Not found: {new string('0', 40)}", run.Output);
    }

    [Fact]
    public async Task PutNamedValuesFalse_WithoutKey_IsAUsageError()
    {
        var run = await RunAsync("put", "--named-values", "false");

        Assert.Equal(2, run.ExitCode);
    }

    [Theory]
    [InlineData(new[] { "get", "--signed", "motd" }, "get has no --signed: a signed value is read with get PUBKEY/NAME")]
    [InlineData(new[] { "get", "--signed" }, "get has no --signed: a signed value is read with get PUBKEY/NAME")]
    [InlineData(new[] { "get", "--frob" }, "unknown option --frob for get (a key that starts with '-' goes after --: dht get -- --frob)")]
    [InlineData(new[] { "put", "--signed", "name", "value" }, "put --signed runs in a node's shell")]
    public async Task OptionTakenForAKey_IsAUsageError_WithTheReason(string[] command, string message)
    {
        var run = await RunAsync([.. command, "-b", network.EndPoints[0]]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Not found", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyStartingWithADash_GoesAfterDoubleDash()
    {
        var run = await RunAsync("get", "-b", network.EndPoints[0], "--", "-dash-key");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Not found: -dash-key", run.Output);
    }

    [Fact]
    public async Task ValueOverTheLimit_SaysWhatTheLargestIs_AndTheLargestIsStored()
    {
        string key = "key-" + Guid.NewGuid().ToString("N");

        var tooBig = await RunAsync("put", key, new string('x', 997), "-b", network.EndPoints[0]);
        var largest = await RunAsync("put", key, new string('x', 996), "-b", network.EndPoints[0]);
        var itemTooBig = await RunAsync("put", "--immutable", new string('y', 1000), "-b", network.EndPoints[0]);

        Assert.Equal(2, tooBig.ExitCode);
        Assert.Contains("Error: the value is 997 bytes; the largest value is 996 bytes", tooBig.Error, StringComparison.Ordinal);
        Assert.Equal(0, largest.ExitCode);
        Assert.Equal(2, itemTooBig.ExitCode);
        Assert.Contains("Error: the value is 1000 bytes; the largest value is 996 bytes", itemTooBig.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValueOnStandardInput_ThatIsNotUtf8_IsRefused()
    {
        var run = await OneShot.RunAsync(log, [0x66, 0x6F, 0xFF, 0x0A], "put", "k", "-b", network.EndPoints[0]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Error: standard input is not valid UTF-8; nothing was stored", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutImmutable_WithNoValue_SaysWhatIsMissing()
    {
        var run = await RunAsync("put", "--immutable", "-b", network.EndPoints[0]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no value: give VALUE or write it to standard input", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unknown option", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ping_OfAnIPv6Node_BindsIPv6()
    {
        using var cts = new CancellationTokenSource(Bound);
        string port = FreeUdpPort.Next().ToString(CultureInfo.InvariantCulture);
        await using var node = DhtProcess.Start(port, "--bind", "::1", "--no-shell", "--in-memory");
        string idLine = await node.WaitForLineAsync(l => l.StartsWith("Node ID:", StringComparison.Ordinal), cts.Token);

        var ping = await RunAsync("ping", $"[::1]:{port}");
        var ipv4Bind = await RunAsync("ping", $"[::1]:{port}", "--bind", "127.0.0.1");

        Assert.Equal(0, ping.ExitCode);
        Assert.StartsWith($"Pong from [::1]:{port} ({idLine["Node ID:".Length..].Trim()}) in ", ping.Output, StringComparison.Ordinal);
        Assert.Equal(2, ipv4Bind.ExitCode);
        Assert.Contains("is an IPv4 address, but [::1]:", ipv4Bind.Error, StringComparison.Ordinal);
    }

    private Task<CliRun> RunAsync(params string[] args) => OneShot.RunAsync(log, "", args);
}
