using System.Globalization;
using System.Text.Json;
using Dht.Protocol;
using Xunit.Abstractions;

namespace Dht.Cli.Tests;

/// <summary><c>--json</c> on the one-shot commands: one object on one line of standard output, the README's fields, the same exit status.</summary>
[Collection(OneShotCollection.Name)]
public sealed class OneShotJsonTests(OneShotNetwork network, ITestOutputHelper log)
{
    [Fact]
    public async Task Get_FoundAndNotFound()
    {
        string key = UniqueKey();
        Assert.Equal(0, (await RunAsync("put", key, "hello world", "-b", network.EndPoints[0])).ExitCode);

        var (found, foundExit) = await JsonAsync("get", key, "--json", "-b", network.EndPoints[1]);
        var (missing, missingExit) = await JsonAsync("get", key + "-missing", "--json", "-b", network.EndPoints[1]);

        Assert.Equal(0, foundExit);
        Assert.Equal(key, found.GetProperty("key").GetString());
        Assert.Equal("found", found.GetProperty("status").GetString());
        Assert.InRange(found.GetProperty("nodesAnswered").GetInt32(), 1, 3);
        Assert.Equal("named", found.GetProperty("kind").GetString());
        Assert.True(found.GetProperty("found").GetBoolean());
        Assert.Equal("hello world", found.GetProperty("value").GetString());
        Assert.Equal("hello world"u8.ToArray(), Convert.FromBase64String(found.GetProperty("valueBase64").GetString()!));
        Assert.True(found.GetProperty("seq").GetInt64() > 0);
        Assert.False(found.GetProperty("deleted").GetBoolean());
        Assert.InRange(found.GetProperty("nodesWithValue").GetInt32(), 1, 3);

        Assert.Equal(1, missingExit);
        Assert.Equal("not_found", missing.GetProperty("status").GetString());
        Assert.False(missing.GetProperty("found").GetBoolean());
        Assert.Equal(JsonValueKind.Null, missing.GetProperty("value").ValueKind);
        Assert.Equal(JsonValueKind.Null, missing.GetProperty("seq").ValueKind);
    }

    [Fact]
    public async Task Put_NamedAndImmutable()
    {
        string key = UniqueKey();

        var (named, namedExit) = await JsonAsync("put", key, "v", "--json", "-b", network.EndPoints[0]);
        var (item, itemExit) = await JsonAsync("put", "--immutable", $"item {key}", "--json", "-b", network.EndPoints[0]);

        Assert.Equal(0, namedExit);
        Assert.Equal(key, named.GetProperty("key").GetString());
        Assert.Equal("named", named.GetProperty("kind").GetString());
        Assert.Equal(NodeId.FromKey(key).ToString(), named.GetProperty("target").GetString());
        Assert.True(named.GetProperty("stored").GetBoolean());
        Assert.Equal("stored", named.GetProperty("status").GetString());
        int stored = named.GetProperty("nodesStored").GetInt32();
        Assert.InRange(stored, 1, 3);
        Assert.InRange(named.GetProperty("nodesAsked").GetInt32(), stored, 3);
        Assert.True(named.GetProperty("seq").GetInt64() > 0);

        Assert.Equal(0, itemExit);
        Assert.Equal("immutable", item.GetProperty("kind").GetString());
        Assert.Equal(item.GetProperty("target").GetString(), item.GetProperty("key").GetString());
        Assert.Equal(JsonValueKind.Null, item.GetProperty("seq").ValueKind);
        var get = await RunAsync("get", item.GetProperty("key").GetString()!, "-b", network.EndPoints[2]);
        Assert.Equal($"Value: item {key}", get.Output);
    }

    [Fact]
    public async Task Delete()
    {
        string key = UniqueKey();

        var (delete, exit) = await JsonAsync("delete", key, "--json", "-b", network.EndPoints[1]);

        Assert.Equal(0, exit);
        Assert.Equal(key, delete.GetProperty("key").GetString());
        Assert.Equal(NodeId.FromKey(key).ToString(), delete.GetProperty("target").GetString());
        Assert.True(delete.GetProperty("stored").GetBoolean());
        Assert.Equal("stored", delete.GetProperty("status").GetString());
        Assert.False(delete.GetProperty("hadValue").GetBoolean()); // the key was never put
        Assert.InRange(delete.GetProperty("nodesStored").GetInt32(), 1, 3);
        Assert.True(delete.GetProperty("seq").GetInt64() > 0);
    }

    [Fact]
    public async Task Ping_AnsweredAndNot_WithTheSameExitStatus()
    {
        string nobody = $"127.0.0.1:{FreeUdpPort.Next().ToString(CultureInfo.InvariantCulture)}";

        var (pong, pongExit) = await JsonAsync("ping", network.EndPoints[2], "--json");
        var (silence, silenceExit) = await JsonAsync("ping", nobody, "--json", "--query-timeout", "300ms", "--soft-timeout", "100ms");

        Assert.Equal(0, pongExit);
        Assert.Equal(network.EndPoints[2], pong.GetProperty("endPoint").GetString());
        Assert.True(pong.GetProperty("answered").GetBoolean());
        Assert.Equal(network.Ids[2], pong.GetProperty("nodeId").GetString());
        Assert.True(pong.GetProperty("roundTripMs").GetDouble() >= 0);

        Assert.Equal(3, silenceExit);
        Assert.False(silence.GetProperty("answered").GetBoolean());
        Assert.Equal(JsonValueKind.Null, silence.GetProperty("nodeId").ValueKind);
        Assert.Equal(JsonValueKind.Null, silence.GetProperty("roundTripMs").ValueKind);
    }

    [Fact]
    public async Task Lookup_ClosestNodesAndPath()
    {
        string key = UniqueKey();

        var (lookup, exit) = await JsonAsync("lookup", key, "--json", "-b", network.EndPoints[0], "--query-timeout", "30s");

        Assert.Equal(0, exit);
        Assert.Equal(NodeId.FromKey(key).ToString(), lookup.GetProperty("target").GetString());
        var closest = lookup.GetProperty("closest").EnumerateArray().ToList();
        Assert.Equal(network.Ids.Order(StringComparer.Ordinal), closest.Select(n => n.GetProperty("id").GetString()).Order(StringComparer.Ordinal));
        Assert.All(closest, n => Assert.Contains(n.GetProperty("endPoint").GetString(), network.EndPoints));
        Assert.InRange(lookup.GetProperty("roundTrips").GetInt32(), 1, 3);
        int responses = lookup.GetProperty("responses").GetInt32();
        Assert.InRange(responses, 3, lookup.GetProperty("queries").GetInt32());
        Assert.True(lookup.GetProperty("elapsedMs").GetInt64() >= 0);
        var path = lookup.GetProperty("path").EnumerateArray().ToList();
        Assert.NotEmpty(path);
        Assert.All(path, s => Assert.True(s.GetProperty("roundTrip").GetInt32() >= 1));
        Assert.All(path, s => Assert.True(s.TryGetProperty("sharedPrefixBits", out _) && s.TryGetProperty("answered", out _)));
    }

    [Fact]
    public async Task UsageError_PrintsNoJson_AndExits2()
    {
        var run = await RunAsync("put", "k", new string('x', 997), "--json", "-b", network.EndPoints[0]);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Output);
        Assert.Contains("the largest value is 996 bytes", run.Error, StringComparison.Ordinal);
    }

    private async Task<(JsonElement Json, int ExitCode)> JsonAsync(params string[] args)
    {
        var run = await RunAsync(args);
        Assert.True(run.Output.Length > 0 && !run.Output.Contains('\n', StringComparison.Ordinal), $"not one line:\n{run.Output}");
        using var document = JsonDocument.Parse(run.Output);
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        return (document.RootElement.Clone(), run.ExitCode);
    }

    private Task<CliRun> RunAsync(params string[] args) => OneShot.RunAsync(log, "", args);

    private static string UniqueKey() => "key-" + Guid.NewGuid().ToString("N");
}
