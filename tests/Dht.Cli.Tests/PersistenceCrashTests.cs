using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Dht.Cli.Tests;

/// <summary>
/// A node killed outright (SIGKILL) in the middle of a stream of stores: its database is sound, and every store
/// it acknowledged before dying is in it (an acknowledged store is a committed one).
/// </summary>
public sealed partial class PersistenceCrashTests(ITestOutputHelper log)
{
    /// <summary>
    /// Puts piped to the client: the script (about 54 KB) fits a pipe's buffer, so writing it never blocks, and
    /// leaves thousands of puts to go at the kill however late the test gets to see the acknowledgements.
    /// </summary>
    private const int KeyCount = 3500;

    /// <summary>Acknowledgements to wait for before the kill: well inside the stream.</summary>
    private const int KillAfter = 300;

    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task HolderKilledDuringStoreStream_KeepsASoundDatabase_WithEveryAcknowledgedStore()
    {
        var total = Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(Bound);
        using var dirs = new PersistenceDataDirectory();
        string portY = PersistenceRestartTests.Port();
        await using var y = DhtProcess.Start(portY, "--bind", "127.0.0.1", "--no-shell", "--data-dir", dirs.For("y"));
        string idY = PersistenceRestartTests.IdOf(await y.WaitForLineAsync(PersistenceRestartTests.NodeIdLine, cts.Token));

        // Two nodes: Y is the only other node the client knows, so "at 2 nodes (this one and 1 other)" means Y
        // acknowledged the store (the client keeps its own copy too).
        // One put at a time, so that at most one store is in flight at the kill (piped puts otherwise run 32 at once).
        await using var client = DhtProcess.Start("0", PersistenceRestartTests.Loopback(portY), "--bind", "127.0.0.1", "--in-memory", "--parallel", "1");
        var script = new StringBuilder();
        for (int i = 1; i <= KeyCount; i++)
        {
            script.Append(CultureInfo.InvariantCulture, $"put k{i} v{i}\n");
        }

        await client.SendAndCloseInputAsync(script.ToString(), cts.Token);
        await client.WaitForLineAsync(l => l == $"Stored key 'k{KillAfter}' at 2 nodes (this one and 1 other)", cts.Token);
        var streamTime = total.Elapsed;
        int seenAtKill = client.Output.Split('\n').Count(l => StoredLine().IsMatch(l));
        y.KillHard();
        Assert.NotEqual(0, await y.WaitForExitAsync(cts.Token));
        // Y is dead: whatever the client printed as stored, up to now or later, Y acknowledged before dying.
        client.KillHard();
        await client.WaitForExitAsync(cts.Token);

        var acknowledged = client.Output.Split('\n').Select(l => StoredLine().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
        Assert.True(acknowledged.Count >= KillAfter, client.Transcript);
        Assert.True(acknowledged.Count < KeyCount, $"the stream ended before the kill: {acknowledged.Count} of {KeyCount} stored");
        Assert.Equal(Enumerable.Range(1, acknowledged.Count).Select(i => $"k{i}"), acknowledged);
        var acknowledgedTargets = acknowledged.Select(PersistenceRestartTests.TargetOf).ToList();

        // The files as the crash left them, opened by a fresh SQLite: it replays the log, as a restart would.
        string copy = PersistenceDatabase.CopyAsCrashed(dirs.DatabaseOf("y"), dirs.For("copy"));
        int heldAfterCrash;
        using (var crashed = PersistenceDatabase.Open(copy))
        {
            Assert.Equal(["ok"], crashed.IntegrityCheck());
            var targets = crashed.NamedValueTargets();
            heldAfterCrash = targets.Count;
            Assert.All(acknowledgedTargets, t => Assert.Contains(t, targets));
            Assert.InRange(targets.Count, acknowledged.Count, acknowledged.Count + 1); // at most one store unacknowledged
            Assert.Equal(idY, crashed.SavedNodeId());
        }

        // The node itself, restarted on the same directory, holds them all too.
        await using (var restarted = DhtProcess.Start(portY, "--bind", "127.0.0.1", "--data-dir", dirs.For("y")))
        {
            await restarted.SendAndCloseInputAsync("status\nkeys\n", cts.Token);
            Assert.True(await restarted.WaitForExitAsync(cts.Token) == 0, restarted.Transcript);
            Assert.Equal(idY, PersistenceRestartTests.IdOf(await restarted.WaitForLineAsync(PersistenceRestartTests.NodeIdLine, cts.Token)));
            var stored = StatusStoredLine().Match(restarted.Output);
            Assert.True(stored.Success, restarted.Transcript);
            Assert.Equal(heldAfterCrash, int.Parse(stored.Groups[1].Value, CultureInfo.InvariantCulture));
            var listed = restarted.Output.Split('\n').Select(l => KeysLine().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
            Assert.All(acknowledgedTargets, t => Assert.Contains(t, listed));
        }

        using (var after = PersistenceDatabase.Open(dirs.DatabaseOf("y")))
        {
            Assert.Equal(["ok"], after.IntegrityCheck());
            Assert.Equal(heldAfterCrash, after.Count("named_values"));
        }

        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"killed at {streamTime.TotalSeconds:0.0} s with {seenAtKill} acknowledgements read ({acknowledged.Count} in all, {heldAfterCrash} stores in the database); total {total.Elapsed.TotalSeconds:0.0} s"));
    }

    [GeneratedRegex(@"^Stored key '(k\d+)' at 2 nodes \(this one and 1 other\)$")]
    private static partial Regex StoredLine();

    [GeneratedRegex(@"^Stored:\s+(\d+) value\(s\)", RegexOptions.Multiline)]
    private static partial Regex StatusStoredLine();

    [GeneratedRegex(@"^  ([0-9a-f]{40}) ")]
    private static partial Regex KeysLine();
}
