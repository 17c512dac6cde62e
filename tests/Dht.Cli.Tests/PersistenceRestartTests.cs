using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Dht.Protocol;
using Xunit.Abstractions;

namespace Dht.Cli.Tests;

/// <summary>
/// A node with a data directory killed outright (SIGKILL: no shutdown, nothing flushed) and started again on the
/// same directory comes back as itself, with what it held and what it published.
/// </summary>
public sealed partial class PersistenceRestartTests(ITestOutputHelper log)
{
    private const int KeyCount = 20;

    /// <summary>
    /// Bounds each test, so a hang fails it with transcripts instead of stalling the suite. The restart test
    /// takes about a minute: half of it waiting for the node's first contact save (at its first upkeep, 30 s
    /// after start), the rest in 2 s query timeouts on the nodes it kills.
    /// </summary>
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task KilledHolder_RestartedWithoutBootstrap_RejoinsAsItself_AndServesWhatItHeld()
    {
        var total = Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(Bound);
        using var dirs = new PersistenceDataDirectory();
        string portA = Port(), portB = Port(), portX = Port();
        await using var a = DhtProcess.Start(portA, "--bind", "127.0.0.1", "--no-shell", "--data-dir", dirs.For("a"));
        await a.WaitForLineAsync(NodeIdLine, cts.Token);
        await using var b = DhtProcess.Start(portB, Loopback(portA), "--bind", "127.0.0.1", "--no-shell", "--data-dir", dirs.For("b"));
        await b.WaitForLineAsync(NodeIdLine, cts.Token);
        await using var x = DhtProcess.Start(portX, Loopback(portA), Loopback(portB), "--bind", "127.0.0.1", "--no-shell", "--data-dir", dirs.For("x"));
        string idX = IdOf(await x.WaitForLineAsync(NodeIdLine, cts.Token));

        // Three nodes and k = 8: every node is among the closest to every key, so each put reaching the 3 of
        // them (and the writer's own copy) means X acknowledged it. A node is waited for past the 2 s default, so that a slow fsync on a busy
        // machine cannot drop it from the count.
        await using (var writer = DhtProcess.Start(["0", Loopback(portA), "--bind", "127.0.0.1", "--in-memory", .. Patient]))
        {
            var script = new StringBuilder();
            for (int i = 1; i <= KeyCount; i++)
            {
                script.Append(CultureInfo.InvariantCulture, $"put key{i} value{i}\n");
            }

            await writer.SendAndCloseInputAsync(script.ToString(), cts.Token);
            Assert.True(await writer.WaitForExitAsync(cts.Token) == 0, writer.Transcript);
            Assert.Equal(
                Enumerable.Range(1, KeyCount).Select(i => $"Stored key 'key{i}' at 4 nodes (this one and 3 others)"),
                writer.Output.Split('\n').Where(l => l.StartsWith("Stored key", StringComparison.Ordinal)));
        }

        var expectedTargets = Enumerable.Range(1, KeyCount).Select(i => TargetOf($"key{i}")).ToHashSet(StringComparer.Ordinal);
        using (var held = PersistenceDatabase.Open(dirs.DatabaseOf("x")))
        {
            Assert.Equal(expectedTargets, held.NamedValueTargets());
            Assert.Equal(idX, held.SavedNodeId());
        }

        // The node saves its routing contacts at its first upkeep and then periodically; kill it once the two
        // others are saved, so a restart has someone to rejoin through.
        await PersistenceDatabase.WaitForRowsAsync(dirs.DatabaseOf("x"), "contacts", 2, "X's saved contacts", cts.Token);
        var beforeKill = total.Elapsed;
        x.KillHard();
        Assert.NotEqual(0, await x.WaitForExitAsync(cts.Token));

        await using var restarted = DhtProcess.Start(portX, "--bind", "127.0.0.1", "--data-dir", dirs.For("x"));
        Assert.Equal(idX, IdOf(await restarted.WaitForLineAsync(NodeIdLine, cts.Token)));
        var rejoining = RejoiningLine().Match(restarted.Output);
        Assert.True(rejoining.Success, restarted.Transcript);
        Assert.True(int.Parse(rejoining.Groups[1].Value, CultureInfo.InvariantCulture) >= 2, restarted.Transcript);
        Assert.Matches(JoinedLine(), restarted.Output);
        Assert.DoesNotContain("Starting as bootstrap node", restarted.Output, StringComparison.Ordinal);
        var rejoined = total.Elapsed;

        await restarted.SendAsync("status\n", cts.Token);
        string stored = await restarted.WaitForLineAsync(l => l.StartsWith("Stored:", StringComparison.Ordinal), cts.Token);
        Assert.StartsWith($"Stored:     {KeyCount} value(s)", stored, StringComparison.Ordinal);

        await restarted.SendAsync("keys\n", cts.Token);
        Assert.Equal(
            $"{KeyCount} value(s) and 0 BEP 44 item(s) held",
            await restarted.WaitForLineAsync(l => l.Contains("value(s) and", StringComparison.Ordinal), cts.Token));
        Assert.Equal(expectedTargets, restarted.Output.Split('\n').Select(l => KeysLine().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal));

        await restarted.SendAsync("get key7\nget key13\n", cts.Token);
        await restarted.WaitForLineAsync(l => l == "Value: value7", cts.Token);
        await restarted.WaitForLineAsync(l => l == "Value: value13", cts.Token);

        await using (var reader = DhtProcess.Start("0", Loopback(portB), "--bind", "127.0.0.1", "--in-memory"))
        {
            await reader.SendAndCloseInputAsync("get key1\nget key20\nget key21\n", cts.Token);
            Assert.True(await reader.WaitForExitAsync(cts.Token) == 0, reader.Transcript);
            Assert.Equal(["Value: value1", "Value: value20", "Not found: key21"], Answers(reader.Output));
        }

        var readFromNetwork = total.Elapsed;

        // With the other two holders gone, what a reader finds can only come from X's restored store.
        a.KillHard();
        b.KillHard();
        await a.WaitForExitAsync(cts.Token);
        await b.WaitForExitAsync(cts.Token);
        await using (var reader = DhtProcess.Start("0", Loopback(portX), "--bind", "127.0.0.1", "--in-memory"))
        {
            await reader.SendAndCloseInputAsync("get key3\nget key18\n", cts.Token);
            Assert.True(await reader.WaitForExitAsync(cts.Token) == 0, reader.Transcript);
            Assert.Equal(["Value: value3", "Value: value18"], Answers(reader.Output));
        }

        var readFromX = total.Elapsed;
        await restarted.SendAndCloseInputAsync("quit\n", cts.Token);
        Assert.True(await restarted.WaitForExitAsync(cts.Token) == 0, restarted.Transcript);
        log.WriteLine(restarted.Transcript);
        using (var after = PersistenceDatabase.Open(dirs.DatabaseOf("x")))
        {
            Assert.Equal(["ok"], after.IntegrityCheck());
        }

        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"timings (s since start): killed X at {beforeKill.TotalSeconds:0.0} (after its contact save), rejoined {rejoined.TotalSeconds:0.0}, read through the network {readFromNetwork.TotalSeconds:0.0}, read from X alone {readFromX.TotalSeconds:0.0}, total {total.Elapsed.TotalSeconds:0.0}"));
    }

    [Fact]
    public async Task KilledPublisher_Restarted_KeepsItsPublishedKeys()
    {
        var total = Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(Bound);
        using var dirs = new PersistenceDataDirectory();
        string portA = Port(), portB = Port(), portP = Port();
        await using var a = DhtProcess.Start(portA, "--bind", "127.0.0.1", "--no-shell", "--in-memory");
        await a.WaitForLineAsync(NodeIdLine, cts.Token);
        await using var b = DhtProcess.Start(portB, Loopback(portA), "--bind", "127.0.0.1", "--no-shell", "--in-memory");
        await b.WaitForLineAsync(NodeIdLine, cts.Token);

        await using var p = DhtProcess.Start([portP, Loopback(portA), "--bind", "127.0.0.1", "--data-dir", dirs.For("p"), .. Patient]);
        string idP = IdOf(await p.WaitForLineAsync(NodeIdLine, cts.Token));
        // The second put of greeting replaces the first: only the newer value is published.
        // The shell runs one command at a time: once status answers, the puts before it have finished.
        await p.SendAsync("put greeting first draft\nput motto carpe diem\nput greeting hello world\nstatus\n", cts.Token);
        await p.WaitForLineAsync(l => l.StartsWith("Stored:", StringComparison.Ordinal), cts.Token);
        Assert.Equal(
            ["Stored key 'greeting' at 3 nodes (this one and 2 others)", "Stored key 'motto' at 3 nodes (this one and 2 others)", "Stored key 'greeting' at 3 nodes (this one and 2 others)"],
            p.Output.Split('\n').Where(l => l.StartsWith("Stored key", StringComparison.Ordinal)));
        p.KillHard();
        Assert.NotEqual(0, await p.WaitForExitAsync(cts.Token));

        await using var restarted = DhtProcess.Start(portP, Loopback(portB), "--bind", "127.0.0.1", "--data-dir", dirs.For("p"));
        Assert.Equal(idP, IdOf(await restarted.WaitForLineAsync(NodeIdLine, cts.Token)));

        // What the node re-publishes hourly is what it reloaded from here at start.
        using (var database = PersistenceDatabase.Open(dirs.DatabaseOf("p")))
        {
            var published = database.Published();
            Assert.Equal(["greeting", "motto"], published.Select(e => e.Key));
            Assert.Equal(["hello world", "carpe diem"], published.Select(e => e.Value));
            Assert.Equal(idP, database.SavedNodeId());
        }

        await restarted.SendAsync("get greeting\nget motto\n", cts.Token);
        await restarted.WaitForLineAsync(l => l == "Value: hello world", cts.Token);
        await restarted.WaitForLineAsync(l => l == "Value: carpe diem", cts.Token);

        await using (var reader = DhtProcess.Start("0", Loopback(portA), "--bind", "127.0.0.1", "--in-memory"))
        {
            await reader.SendAndCloseInputAsync("get greeting\nget motto\n", cts.Token);
            Assert.True(await reader.WaitForExitAsync(cts.Token) == 0, reader.Transcript);
            Assert.Equal(["Value: hello world", "Value: carpe diem"], Answers(reader.Output));
        }

        await restarted.SendAndCloseInputAsync("quit\n", cts.Token);
        Assert.True(await restarted.WaitForExitAsync(cts.Token) == 0, restarted.Transcript);
        log.WriteLine(restarted.Transcript);
        using (var after = PersistenceDatabase.Open(dirs.DatabaseOf("p")))
        {
            Assert.Equal(["ok"], after.IntegrityCheck());
            Assert.Equal(["greeting", "motto"], after.Published().Select(e => e.Key));
        }

        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"timings: total {total.Elapsed.TotalSeconds:0.0} s"));
    }

    internal static bool NodeIdLine(string line) => line.StartsWith("Node ID:", StringComparison.Ordinal);

    internal static string IdOf(string nodeIdLine) => nodeIdLine["Node ID:".Length..].Trim();

    /// <summary>Waits this long for an answer, so that a store acknowledged late still counts.</summary>
    internal static readonly string[] Patient = ["--query-timeout", "30s"];

    internal static string Port() => FreeUdpPort.Next().ToString(CultureInfo.InvariantCulture);

    internal static string Loopback(string port) => "127.0.0.1:" + port;

    internal static string TargetOf(string key) => NodeId.FromKey(key).ToString();

    private static string[] Answers(string output) =>
        [.. output.Split('\n').Where(l => l.StartsWith("Value: ", StringComparison.Ordinal) || l.StartsWith("Not found: ", StringComparison.Ordinal))];

    [GeneratedRegex(@"^Rejoining via (\d+) saved contact\(s\)$", RegexOptions.Multiline)]
    private static partial Regex RejoiningLine();

    [GeneratedRegex(@"^Joined: \d+ contact\(s\)$", RegexOptions.Multiline)]
    private static partial Regex JoinedLine();

    [GeneratedRegex(@"^  ([0-9a-f]{40}) ")]
    private static partial Regex KeysLine();
}
