using System.Globalization;
using System.Text.RegularExpressions;
using Dht.Protocol;
using Xunit.Abstractions;

namespace Dht.Cli.Tests;

/// <summary>
/// <c>dht get/put/delete/ping/lookup</c> as separate processes against a network of <c>dht --no-shell</c> nodes:
/// what they print and the exit status a script sees.
/// </summary>
[Collection(OneShotCollection.Name)]
public sealed partial class OneShotCommandTests(OneShotNetwork network, ITestOutputHelper log)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>Short timeouts for the commands that wait on a node that is not there.</summary>
    private static readonly string[] Impatient = ["--query-timeout", "300ms", "--soft-timeout", "100ms"];

    [Fact]
    public async Task Put_WithValueArguments_ThenGet_FindsTheValue()
    {
        string key = UniqueKey();

        var put = await RunAsync("", "put", key, "hello", "world", "--bootstrap", network.EndPoints[0]);
        var get = await RunAsync("", "get", key, "--bootstrap", network.EndPoints[^1]);

        Assert.Equal(0, put.ExitCode);
        Assert.Matches($"^Stored key '{key}' at [1-3] nodes?$", put.Output);
        Assert.Equal(0, get.ExitCode);
        Assert.Equal("Value: hello world", get.Output);
    }

    [Fact]
    public async Task Put_WithoutValue_ReadsStandardInput()
    {
        string key = UniqueKey();

        var put = await RunAsync("from standard input\n", "put", key, "-b", network.EndPoints[1]);
        var get = await RunAsync("", "get", key, "-b", network.EndPoints[0]);

        Assert.Equal(0, put.ExitCode);
        Assert.StartsWith($"Stored key '{key}' at ", put.Output, StringComparison.Ordinal);
        Assert.Equal("Value: from standard input", get.Output);
    }

    [Fact]
    public async Task Put_WithEmptyStandardInput_IsAUsageError()
    {
        var put = await RunAsync("", "put", UniqueKey(), "-b", network.EndPoints[0]);

        Assert.Equal(2, put.ExitCode);
        Assert.Contains("no value", put.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutImmutable_PrintsTheHash_ThatGetReadsFromAnotherNode()
    {
        string text = $"immutable {UniqueKey()}";

        var fromWords = await RunAsync("", "put", "--immutable", text, "-b", network.EndPoints[0]);
        var fromInput = await RunAsync(text + " from input\n", "put", "--immutable", "-b", network.EndPoints[1]);

        Assert.Equal(0, fromWords.ExitCode);
        Assert.Equal(0, fromInput.ExitCode);
        var hash = ImmutableStored().Match(fromWords.Output);
        var hashOfInput = ImmutableStored().Match(fromInput.Output);
        Assert.True(hash.Success && hashOfInput.Success, fromWords.Output + "\n" + fromInput.Output);
        Assert.Equal("Value: " + text, (await RunAsync("", "get", hash.Groups[1].Value, "-b", network.EndPoints[^1])).Output);
        Assert.Equal("Value: " + text + " from input", (await RunAsync("", "get", hashOfInput.Groups[1].Value, "-b", network.EndPoints[0])).Output);
    }

    [Fact]
    public async Task Put_WithoutKey_IsAUsageError()
    {
        var put = await RunAsync("a value\n", "put", "-b", network.EndPoints[0]);

        Assert.Equal(2, put.ExitCode);
        Assert.Contains("KEY is required", put.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_OfAMissingKey_SaysNotFound_WithExitCode1()
    {
        string key = UniqueKey();

        var get = await RunAsync("", "get", key, "--bootstrap", network.EndPoints[0]);

        Assert.Equal(1, get.ExitCode);
        Assert.Equal($"Not found: {key}", get.Output);
    }

    [Fact]
    public async Task Delete_RemovesTheValue()
    {
        string key = UniqueKey();
        Assert.Equal(0, (await RunAsync("", "put", key, "doomed", "-b", network.EndPoints[0])).ExitCode);

        var delete = await RunAsync("", "delete", key, "-b", network.EndPoints[1]);
        var get = await RunAsync("", "get", key, "-b", network.EndPoints[2]);

        Assert.Equal(0, delete.ExitCode);
        Assert.Matches($"^Deleted key '{key}': tombstone stored at [1-3] nodes?$", delete.Output);
        Assert.Equal(1, get.ExitCode);
        Assert.Equal($"Not found: {key} (deleted)", get.Output);
    }

    [Fact]
    public async Task Get_OfBep44Items_AcceptsTheShellsForms()
    {
        using var cts = new CancellationTokenSource(Bound);
        // Read-only (BEP 43), so that once it has gone no node sends lookups to it.
        await using var writer = DhtProcess.Start("0", network.EndPoints[0], "--bind", "127.0.0.1", "--read-only");
        await writer.SendAndCloseInputAsync("put --immutable an immutable item\nput --signed motd all systems go\n", cts.Token);
        Assert.True(await writer.WaitForExitAsync(cts.Token) == 0, writer.Transcript);
        var immutable = ImmutableStored().Match(writer.Output);
        var signed = SignedStored().Match(writer.Output);
        Assert.True(immutable.Success && signed.Success, writer.Transcript);

        var byHash = await RunAsync("", "get", immutable.Groups[1].Value, "-b", network.EndPoints[1]);
        var byName = await RunAsync("", "get", signed.Groups[1].Value, "-b", network.EndPoints[2]);
        var missing = await RunAsync("", "get", new string('0', 40), "-b", network.EndPoints[2]);

        Assert.Equal("Value: an immutable item", byHash.Output);
        Assert.Matches(@"^Value: all systems go \(seq \d+\)$", byName.Output);
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal($"Not found: {new string('0', 40)}", missing.Output);
    }

    [Fact]
    public async Task Ping_OfANode_PrintsItsIdAndRoundTrip()
    {
        var ping = await RunAsync("", "ping", network.EndPoints[1]);

        Assert.Equal(0, ping.ExitCode);
        Assert.Matches($@"^Pong from {Regex.Escape(network.EndPoints[1])} \({network.Ids[1]}\) in \d+\.\d ms$", ping.Output);
    }

    [Fact]
    public async Task Ping_OfNoOne_SaysNoAnswer_WithExitCode3()
    {
        string nobody = $"127.0.0.1:{FreeUdpPort.Next().ToString(CultureInfo.InvariantCulture)}";

        var ping = await RunAsync("", ["ping", nobody, .. Impatient]);

        Assert.Equal(3, ping.ExitCode);
        Assert.Equal($"No answer from {nobody}", ping.Output);
    }

    [Fact]
    public async Task Lookup_PrintsThePathThenTheClosestNodes()
    {
        string key = UniqueKey();
        var target = NodeId.FromKey(key);

        var lookup = await RunAsync("", "lookup", key, "--bootstrap", network.EndPoints[0], "--query-timeout", "30s");

        Assert.Equal(0, lookup.ExitCode);
        string[] lines = lookup.Output.Split('\n');
        var summary = Regex.Match(lines[0], $@"^Target {target}: 3 closest node\(s\) after (?<trips>\d+) round trip\(s\), \d+ queries \((?<answered>\d+) answered\), \d+ ms$");
        Assert.True(summary.Success, lookup.Output);
        Assert.InRange(int.Parse(summary.Groups["trips"].Value, CultureInfo.InvariantCulture), 1, 3); // it asked nodes: never "0"
        Assert.StartsWith("Path", lines[1], StringComparison.Ordinal);
        int closest = Array.IndexOf(lines, "Closest:");
        Assert.True(closest > 2, lookup.Output);
        var steps = lines[2..closest].Select(l => PathLine().Match(l)).ToList();
        Assert.All(steps, m => Assert.True(m.Success, lookup.Output));
        foreach (var step in steps)
        {
            var id = NodeId.Parse(step.Groups["id"].Value);
            Assert.Equal(id.CommonPrefixLength(target), int.Parse(step.Groups["cpl"].Value, CultureInfo.InvariantCulture));
        }

        Assert.Equal(1, steps.Min(m => int.Parse(m.Groups["trip"].Value, CultureInfo.InvariantCulture))); // the first contacts: round trip 1

        Assert.Contains(steps, m => m.Groups["outcome"].Value == "answered");
        Assert.Equal(network.Ids.Order(StringComparer.Ordinal), lines[(closest + 1)..].Select(l => l.Trim()[..40]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task NoBootstrapNodeAnswering_IsANetworkError_WithExitCode3()
    {
        string nobody = $"127.0.0.1:{FreeUdpPort.Next().ToString(CultureInfo.InvariantCulture)}";

        var get = await RunAsync("", ["get", "hello", "--bootstrap", nobody, .. Impatient]);

        Assert.Equal(3, get.ExitCode);
        Assert.Contains($"no bootstrap node answered ({nobody})", get.Error, StringComparison.Ordinal);
        Assert.Equal("", get.Output);
    }

    [Theory]
    [InlineData("get", "hello")]
    [InlineData("put", "hello", "world")]
    [InlineData("delete", "hello")]
    [InlineData("lookup", "hello")]
    public async Task NoBootstrapNodeGiven_IsAUsageError_WithExitCode2(params string[] args)
    {
        var run = await RunAsync("", args);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no bootstrap node", run.Error, StringComparison.Ordinal);
    }

    private static string UniqueKey() => "key-" + Guid.NewGuid().ToString("N");

    private Task<CliRun> RunAsync(string input, params string[] args) => OneShot.RunAsync(log, input, args);

    [GeneratedRegex(@"^Stored immutable item ([0-9a-f]{40}) at [1-9]", RegexOptions.Multiline)]
    private static partial Regex ImmutableStored();

    [GeneratedRegex(@"^Stored key '([0-9a-f]{64}/motd)' at [1-9]", RegexOptions.Multiline)]
    private static partial Regex SignedStored();

    [GeneratedRegex(@"^  trip +(?<trip>\d+)  (?<id>[0-9a-f]{40}) 127\.0\.0\.1:\d+ +shared prefix +(?<cpl>\d+) bits  (?<outcome>answered|timed out) +\d+ ms$")]
    private static partial Regex PathLine();
}
