using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace Dht.Cli.Tests;

/// <summary>
/// Networks of real <c>dht</c> processes on 127.0.0.1 with default limits, in which nodes leave (killed,
/// interrupted, or piped shells that reach the end of their input), and the survivors must go on working:
/// every put stored, every get answered. Limits are generous; only behaviour is asserted.
/// </summary>
public sealed class DepartureScenarioTests(ITestOutputHelper log)
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task TwoGroups_JoinedByABridgeThatQuit_FindEachOthersKeys()
    {
        using var cts = new CancellationTokenSource(Bound);
        await using var nodes = new ShellNodes();
        var a = await nodes.GroupAsync(3, cts.Token);
        var b = await nodes.GroupAsync(3, cts.Token);
        await PutAllAsync(a[0], "a", 3, cts.Token);
        await PutAllAsync(b[0], "b", 3, cts.Token);

        // The seeds' bridge: `dht P HOST_A:PORT HOST_B:PORT`, which joins through both groups and quits.
        await using var bridge = DhtProcess.Start(Port(), nodes.EndPointOf(a[0]), nodes.EndPointOf(b[0]), "--bind", "127.0.0.1", "--in-memory");
        await bridge.SendAndCloseInputAsync("", cts.Token);
        Assert.Equal(0, await bridge.WaitForExitAsync(cts.Token));
        log.WriteLine($"bridge:\n{bridge.Transcript}");

        foreach (var (readers, prefix) in new[] { (a, "b"), (b, "a") })
        {
            foreach (var reader in readers)
            {
                var answers = await RunAsync(reader, Enumerable.Range(0, 3).Select(i => $"get {prefix}{i}"), IsGetAnswer, cts.Token);
                Assert.Equal(Enumerable.Range(0, 3).Select(i => $"Value: value of {prefix}{i}"), answers);
            }
        }

        nodes.AssertAllRunning();
    }

    [Fact]
    public async Task FourNodes_OneKilledAndOneInterrupted_SurvivorFindsEveryKey_AndStoresFiftyMore()
    {
        using var cts = new CancellationTokenSource(Bound);
        await using var nodes = new ShellNodes();
        var group = await nodes.GroupAsync(4, cts.Token);
        await PutAllAsync(group[0], "before", 20, cts.Token);

        group[2].KillHard();
        await group[3].SendInterruptSignalAsync(cts.Token);
        await group[2].WaitForExitAsync(cts.Token);
        await group[3].WaitForExitAsync(cts.Token);

        var survivor = group[1];
        var found = await RunAsync(survivor, Enumerable.Range(0, 20).Select(i => $"get before{i}"), IsGetAnswer, cts.Token);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"Value: value of before{i}"), found);
        await PutAllAsync(survivor, "after", 50, cts.Token);
        var foundAfter = await RunAsync(group[0], Enumerable.Range(0, 50).Select(i => $"get after{i}"), IsGetAnswer, cts.Token);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"Value: value of after{i}"), foundAfter);
    }

    [Fact]
    public async Task SevenNodes_TwoDeparted_HundredPipedPuts_AreStored_AndFoundFromANewProcess()
    {
        using var cts = new CancellationTokenSource(Bound);
        await using var network = new LoopbackNetwork();
        await network.GrowAsync(7, cts.Token);
        network.Nodes[3].KillHard();
        await network.Nodes[5].SendInterruptSignalAsync(cts.Token);
        await network.Nodes[3].WaitForExitAsync(cts.Token);
        await network.Nodes[5].WaitForExitAsync(cts.Token);

        var puts = Enumerable.Range(1, 100).Select(i => $"put key{i} value{i}");
        var writer = await PipeAsync(network.EndPoints[0], puts, cts.Token);
        Assert.Equal(
            Enumerable.Range(1, 100).Select(i => $"Stored key 'key{i}'"),
            writer.Where(l => l.StartsWith("Stored key", StringComparison.Ordinal) || l.StartsWith("Not stored", StringComparison.Ordinal))
                .Select(l => l[..(l.IndexOf('\'', "Stored key '".Length) + 1)]));

        var gets = Enumerable.Range(1, 20).Select(i => $"get key{i * 5}");
        var reader = await PipeAsync(network.EndPoints[^1], gets, cts.Token);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"Value: value{i * 5}"), reader.Where(IsGetAnswer));
    }

    [Fact]
    public async Task ThreePipedGetsInARow_EachFindTheValue()
    {
        using var cts = new CancellationTokenSource(Bound);
        await using var network = new LoopbackNetwork();
        await network.GrowAsync(4, cts.Token);
        var put = await PipeAsync(network.EndPoints[1], ["put test value"], cts.Token);
        Assert.Contains(put, l => l.StartsWith("Stored key 'test'", StringComparison.Ordinal));

        // Each piped shell joins as a full node and leaves at the end of its input: the next one must not pay for it.
        for (int i = 0; i < 3; i++)
        {
            var got = await PipeAsync(network.EndPoints[0], ["get test"], cts.Token);
            Assert.Equal(["Value: value"], got.Where(IsGetAnswer));
        }

        network.AssertAllRunning();
    }

    private static bool IsGetAnswer(string line) =>
        line.StartsWith("Value: ", StringComparison.Ordinal) || line.StartsWith("Not found: ", StringComparison.Ordinal);

    private static bool IsPutAnswer(string line) =>
        line.StartsWith("Stored key ", StringComparison.Ordinal) || line.StartsWith("Not stored", StringComparison.Ordinal);

    private static string Port() => FreeUdpPort.Next().ToString(CultureInfo.InvariantCulture);

    /// <summary>Puts <c>PREFIX0..</c> with values <c>value of PREFIXi</c> through a node's shell; every put must be stored.</summary>
    private static async Task PutAllAsync(DhtProcess node, string prefix, int count, CancellationToken cancellationToken)
    {
        var answers = await RunAsync(node, Enumerable.Range(0, count).Select(i => $"put {prefix}{i} value of {prefix}{i}"), IsPutAnswer, cancellationToken);
        Assert.All(answers, l => Assert.StartsWith("Stored key", l, StringComparison.Ordinal));
    }

    /// <summary>Sends commands to a running shell and returns its answers to them (lines matching <paramref name="isAnswer"/>).</summary>
    private static async Task<List<string>> RunAsync(DhtProcess node, IEnumerable<string> commands, Func<string, bool> isAnswer, CancellationToken cancellationToken)
    {
        int before = node.Output.Split('\n').Count(isAnswer);
        var list = commands.ToList();
        await node.SendAsync(string.Join('\n', list) + "\n", cancellationToken);
        var all = await node.WaitForLinesAsync(isAnswer, before + list.Count, cancellationToken);
        return all.Skip(before).Take(list.Count).ToList();
    }

    /// <summary>The seeds' piped usage: <c>printf '…' | dht PORT HOST:PORT</c>, a full node that leaves at the end of its input.</summary>
    private async Task<string[]> PipeAsync(string bootstrap, IEnumerable<string> commands, CancellationToken cancellationToken)
    {
        await using var shell = DhtProcess.Start(Port(), bootstrap, "--bind", "127.0.0.1");
        var script = new StringBuilder();
        foreach (string c in commands)
        {
            script.Append(c).Append('\n');
        }

        await shell.SendAndCloseInputAsync(script.ToString(), cancellationToken);
        int exit = await shell.WaitForExitAsync(cancellationToken);
        log.WriteLine(shell.Transcript);
        Assert.True(exit == 0, $"exit code {exit}\n{shell.Transcript}");
        return shell.Output.Split('\n');
    }

    /// <summary>
    /// Nodes with a shell whose standard input stays open, so a test can type commands into any of them.
    /// Disposing kills every process.
    /// </summary>
    private sealed class ShellNodes : IAsyncDisposable
    {
        private readonly List<DhtProcess> _nodes = [];
        private readonly Dictionary<DhtProcess, string> _endPoints = [];

        public string EndPointOf(DhtProcess node) => _endPoints[node];

        /// <summary>Starts a new group: a first node on its own, then the others joining through it.</summary>
        public async Task<List<DhtProcess>> GroupAsync(int size, CancellationToken cancellationToken)
        {
            List<DhtProcess> group = [];
            for (int i = 0; i < size; i++)
            {
                string port = Port();
                string[] bootstrap = i == 0 ? [] : [_endPoints[group[0]]];
                var node = DhtProcess.Start([port, .. bootstrap, "--bind", "127.0.0.1", "--in-memory"]);
                _nodes.Add(node); // before waiting, so a node that fails to start is still killed
                _endPoints[node] = $"127.0.0.1:{port}";
                await node.WaitForLineAsync(l => l.StartsWith("Node ID:", StringComparison.Ordinal), cancellationToken);
                group.Add(node);
            }

            return group;
        }

        public void AssertAllRunning()
        {
            foreach (var node in _nodes)
            {
                Assert.False(node.HasExited(), $"{_endPoints[node]} exited\n{node.Transcript}");
            }
        }

        public async ValueTask DisposeAsync() => await Task.WhenAll(_nodes.Select(n => n.DisposeAsync().AsTask()));
    }
}
