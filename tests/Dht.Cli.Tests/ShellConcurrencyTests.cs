using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Dht.Cli.Input;

namespace Dht.Cli.Tests;

/// <summary>
/// Piped commands run concurrently under the ordering rule and print in input order. The commands here are
/// test commands that wait on gates opened by later commands, so every assertion is about order, never time:
/// a rule that was not kept shows as a wrong order or as a script that cannot finish.
/// </summary>
public sealed partial class ShellConcurrencyTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly CancellationTokenSource _cts = new(Bound);
    private readonly ConcurrentQueue<string> _events = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new();
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
    public async Task IndependentCommands_RunAtOnce_ButPrintInInputOrder()
    {
        // "wait g" can only finish once "open g", read after it, has run.
        string output = await RunAsync("wait g\nopen g\n");

        Assert.Equal("waited g\nopened g\n", output);
        Assert.Equal(["opened g", "waited g"], _events);
    }

    [Fact]
    public async Task CommandsOnTheSameKey_RunInInputOrder()
    {
        // Without the rule, "touch a" would run first: its gate needs nothing.
        string output = await RunAsync("wait-on a g\ntouch a\nopen g\n");

        Assert.Equal("waited g\ntouched a\nopened g\n", output);
        Assert.Equal(["opened g", "waited g", "touched a"], _events);
    }

    [Fact]
    public async Task CommandsOnOtherKeys_DoNotWait()
    {
        // "open-on b g" on key b would never run if it waited for "wait-on a g" on key a.
        string output = await RunAsync("wait-on a g\nopen-on b g\n");

        Assert.Equal("waited g\nopened g\n", output);
    }

    [Fact]
    public async Task ExclusiveCommand_WaitsForEverythingBefore_AndHoldsBackWhatFollows()
    {
        string output = await RunAsync("wait-on a g\nopen g\nbarrier\ntouch b\n");

        Assert.Equal("waited g\nopened g\nbarrier\ntouched b\n", output);
        Assert.Equal(["opened g", "waited g", "barrier", "touched b"], _events);
    }

    [Fact]
    public async Task Quit_WaitsForEarlierCommands_AndNothingAfterItRuns()
    {
        string output = await RunAsync("wait g\nopen g\nquit\ntouch a\n");

        Assert.Equal("waited g\nopened g\n", output);
        Assert.DoesNotContain("touched a", _events);
    }

    [Fact]
    public async Task ErrorsGoToStandardError_InInputOrder()
    {
        await using var output = new StringWriter();
        await using var error = new StringWriter();
        var shell = Shell(output, error, parallelism: 8);

        await shell.RunConcurrentAsync(Lines("wait g\nnope 1\ntouch a\nopen g\nnope 2\nput\n"), _cts.Token).WaitAsync(_cts.Token);

        Assert.Equal("waited g\ntouched a\nopened g\n", output.ToString());
        Assert.Equal(
            "Unknown command: nope. Type 'help' for the list of commands.\n" +
            "Unknown command: nope. Type 'help' for the list of commands.\n" +
            "Usage: put KEY VALUE, put --signed NAME VALUE or put --immutable VALUE\n",
            error.ToString());
    }

    [Fact]
    public async Task NoMoreThanParallelismCommands_RunAtOnce()
    {
        int running = 0;
        int most = 0;
        var shell = Shell(TextWriter.Null, TextWriter.Null, parallelism: 3);
        shell.Add(new ShellCommand("busy", "", "", _ => ShellInvocation.Independent(async (o, ct) =>
        {
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            await Task.Yield();
            Interlocked.Decrement(ref running);
            return true;
        })));

        await shell.RunConcurrentAsync(Lines(string.Concat(Enumerable.Repeat("busy\n", 200))), _cts.Token).WaitAsync(_cts.Token);

        Assert.InRange(most, 1, 3);
    }

    [Fact]
    public async Task OneAtATime_WhenParallelismIsOne()
    {
        // With one slot, "wait g" holds it until "open g" runs, which cannot start: so test the order with touches.
        string output = await RunAsync("touch a\ntouch b\ntouch c\n", parallelism: 1);

        Assert.Equal("touched a\ntouched b\ntouched c\n", output);
        Assert.Equal(["touched a", "touched b", "touched c"], _events);
    }

    [Fact]
    public async Task PutThenGet_OfTheSameKey_SeesThePut_ForEveryKey()
    {
        await using var other = new DhtNode(new DhtOptions { Port = 0, ListenAddress = IPAddress.Loopback });
        await other.StartAsync(_cts.Token);
        Assert.True((await _node.PingAsync(other.LocalEndPoint, _cts.Token)).Answered);
        var script = new StringBuilder();
        for (int i = 0; i < 40; i++)
        {
            script.Append($"put k{i} first{i}\nget k{i}\nput k{i} second{i}\nget k{i}\n");
        }

        await using var output = new StringWriter();
        var shell = new Shell(_node, output, output);
        await shell.RunConcurrentAsync(Lines(script.ToString()), _cts.Token).WaitAsync(_cts.Token);

        var expected = Enumerable.Range(0, 40).SelectMany(i => new[] { $"Stored k{i}", $"Value: first{i}", $"Stored k{i}", $"Value: second{i}" });
        Assert.Equal(expected, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => StoredAt().Replace(l, "Stored $1")));
    }

    private async Task<string> RunAsync(string script, int parallelism = 8)
    {
        await using var output = new StringWriter();
        var shell = Shell(output, output, parallelism);
        await shell.RunConcurrentAsync(Lines(script), _cts.Token).WaitAsync(_cts.Token);
        return output.ToString();
    }

    /// <summary>A shell with test commands: wait/open gates, touch keys, and an exclusive barrier.</summary>
    private Shell Shell(TextWriter output, TextWriter error, int parallelism)
    {
        var shell = new Shell(_node, output, error, new ShellOptions { Parallelism = parallelism });
        shell.Add(new ShellCommand("wait", "", "", args => ShellInvocation.Independent((o, ct) => WaitAsync(Word(args), o, ct))));
        shell.Add(new ShellCommand("wait-on", "", "", args =>
        {
            string key = Word(args);
            string gate = Word(args);
            return ShellInvocation.OnKey(key, (o, ct) => WaitAsync(gate, o, ct));
        }));
        shell.Add(new ShellCommand("open", "", "", args => Open(null, Word(args))));
        shell.Add(new ShellCommand("open-on", "", "", args => Open(Word(args), Word(args))));
        shell.Add(new ShellCommand("touch", "", "", args =>
        {
            string key = Word(args);
            return ShellInvocation.OnKey(key, (o, _) => Record(o, $"touched {key}"));
        }));
        shell.Add(new ShellCommand("barrier", "", "", _ => ShellInvocation.Exclusive((o, _) => Record(o, "barrier"))));
        return shell;
    }

    private async Task<bool> WaitAsync(string gate, CommandOutput output, CancellationToken cancellationToken)
    {
        await Gate(gate).Task.WaitAsync(cancellationToken);
        await Record(output, $"waited {gate}");
        return true;
    }

    private ShellInvocation Open(string? key, string gate)
    {
        Func<CommandOutput, CancellationToken, Task<bool>> run = (o, _) =>
        {
            Gate(gate).TrySetResult();
            return Record(o, $"opened {gate}");
        };
        return key is null ? ShellInvocation.Independent(run) : ShellInvocation.OnKey(key, run);
    }

    private Task<bool> Record(CommandOutput output, string text)
    {
        _events.Enqueue(text);
        output.Line(text);
        return Task.FromResult(true);
    }

    private TaskCompletionSource Gate(string name) => _gates.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private static string Word(ArgumentReader args)
    {
        Assert.True(args.TryReadWord(out var word, out _));
        return word!.Text;
    }

    private static LineReader Lines(string script) => new(new MemoryStream(Encoding.UTF8.GetBytes(script)), 16 * 1024);

    [GeneratedRegex(@"^Stored key '(k\d+)' at \d+ nodes?(?: \(this one(?: and \d+ others?)?\))?(?:, \d+ more to follow)?$")]
    private static partial Regex StoredAt();

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
