using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Dht.Cli.Tests;

/// <summary>
/// The load the key-value issue asks for, as users would run it: ten <c>dht</c> processes on loopback UDP,
/// <c>for i in $(seq 1000); do echo "put key$i value$i"; done | dht PORT 127.0.0.1:NODE1</c>, then a
/// <c>get</c> from yet another process.
/// </summary>
public sealed partial class LoopbackLoadTests(ITestOutputHelper log)
{
    private const int NetworkSize = 10;
    private const int KeyCount = 1000;

    /// <summary>Bounds the whole test, so a hang fails it with transcripts instead of stalling the suite.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task PipedThousandPuts_OnTenProcessNetwork_AreAllStored_AndFoundFromAnotherProcess()
    {
        using var cts = new CancellationTokenSource(Bound);
        var total = Stopwatch.StartNew();
        await using var network = new LoopbackNetwork();
        await network.GrowAsync(NetworkSize, cts.Token);
        var started = total.Elapsed;

        var putPhase = Stopwatch.StartNew();
        await using var writer = DhtProcess.Start(Port(), network.EndPoints[0], "--bind", "127.0.0.1");
        var script = new StringBuilder();
        for (int i = 1; i <= KeyCount; i++)
        {
            script.Append(CultureInfo.InvariantCulture, $"put key{i} value{i}\n");
        }

        await writer.SendAndCloseInputAsync(script.ToString(), cts.Token);
        int writerExit = await writer.WaitForExitAsync(cts.Token);
        putPhase.Stop();

        Assert.True(writerExit == 0, $"exit code {writerExit}\n{writer.Transcript}");
        string[] lines = writer.Output.Split('\n');
        Assert.DoesNotContain(lines, l => l.StartsWith("Not stored", StringComparison.Ordinal));
        Assert.DoesNotContain(writer.Error.Split('\n'), l => l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Usage", StringComparison.Ordinal));
        var stored = lines.Select(l => StoredLine().Match(l)).Where(m => m.Success).ToList();
        // A place left to a node that others overtook in the lookup is written after the line is printed.
        var copies = stored.Select(m => int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)
            + (m.Groups[3].Success ? int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) : 0)).ToList();
        string distribution = string.Join(", ", copies.GroupBy(n => n).OrderBy(g => g.Key).Select(g => $"{g.Key} nodes: {g.Count()}"));
        log.WriteLine($"{stored.Count} puts stored; copies per key: {distribution}");
        Assert.Equal(Enumerable.Range(1, KeyCount).Select(i => $"key{i}"), stored.Select(m => m.Groups[1].Value));
        Assert.All(copies, n => Assert.InRange(n, 1, NetworkSize + 1)); // the writer keeps a copy when among the k closest

        var getPhase = Stopwatch.StartNew();
        await using var reader = DhtProcess.Start(Port(), network.EndPoints[^1], "--bind", "127.0.0.1");
        await reader.SendAndCloseInputAsync("get key537\nget key1\nget key1000\nget key250\nget key1001\n", cts.Token);
        int readerExit = await reader.WaitForExitAsync(cts.Token);
        getPhase.Stop();
        log.WriteLine($"reader:\n{reader.Transcript}");

        Assert.True(readerExit == 0, $"exit code {readerExit}\n{reader.Transcript}");
        Assert.Equal(
            ["Value: value537", "Value: value1", "Value: value1000", "Value: value250", "Not found: key1001"],
            reader.Output.Split('\n').Where(l => l.StartsWith("Value: ", StringComparison.Ordinal) || l.StartsWith("Not found: ", StringComparison.Ordinal)));
        network.AssertAllRunning();
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"timings: {NetworkSize} nodes started in {started.TotalSeconds:0.0} s, {KeyCount} puts in {putPhase.Elapsed.TotalSeconds:0.0} s, gets in {getPhase.Elapsed.TotalSeconds:0.0} s, total {total.Elapsed.TotalSeconds:0.0} s"));
    }

    private static string Port() => FreeUdpPort.Next().ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^Stored key '(key\d+)' at (\d+) nodes?(?: \(this one(?: and \d+ others?)?\))?(?:, (\d+) more to follow)?$")]
    private static partial Regex StoredLine();
}
