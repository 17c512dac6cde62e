namespace Dht.Cli.Tests;

/// <summary>The command line parsed and run in-process: help, argument errors, the short form.</summary>
public sealed class CliAppTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Help_ListsTheNodeCommand()
    {
        var run = await RunAsync("--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("node", run.Output, StringComparison.Ordinal);
        Assert.Contains("Short form: dht PORT", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ListsEveryCommand()
    {
        var run = await RunAsync("--help");

        foreach (string command in new[] { "node", "get <KEY>", "put <KEY> <VALUE>", "delete <KEY>", "ping <HOST:PORT>", "lookup <ID|KEY>", "config" })
        {
            Assert.Contains("  " + command + " ", run.Output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("get")]
    [InlineData("put")]
    [InlineData("ping", "nohostport")]
    [InlineData("frobnicate")]
    [InlineData("node", "--no-such-option")]
    [InlineData("node", "--parallel", "0")]
    [InlineData("node", "--parallel", "257")]
    public async Task UsageError_ExitsWith2(params string[] args)
    {
        var run = await RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.NotEqual("", run.Error);
    }

    [Theory]
    [InlineData("get", "--bootstrap")]
    [InlineData("put", "--config")]
    [InlineData("lookup", "--query-timeout")]
    [InlineData("config show", "--max-items")]
    [InlineData("node", "--otlp-endpoint")]
    [InlineData("node", "--rate-limit")]
    public async Task CommandHelp_ListsItsSettings(string command, string option)
    {
        var run = await RunAsync([.. command.Split(' '), "--help"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(option, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeHelp_ListsItsOptions()
    {
        var run = await RunAsync("node", "--help");

        Assert.Equal(0, run.ExitCode);
        foreach (string option in new[] { "--port", "--bind", "--bootstrap", "--no-shell", "--verbose" })
        {
            Assert.Contains(option, run.Output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("node", "--port", "70000")]
    [InlineData("node", "--port", "-1")]
    [InlineData("node", "--port", "abc")]
    [InlineData("99999")]
    public async Task Node_WithBadPort_FailsNamingPort(params string[] args)
    {
        var run = await RunAsync(args);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--port", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Node ID:", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--bind", "nonsense")]
    [InlineData("node", "--port", "0", "--bind", "nonsense")]
    [InlineData("8001", "--bind", "nonsense")]
    public async Task BadBind_FailsNamingBind(params string[] args)
    {
        var run = await RunAsync(args);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--bind", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Node ID:", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_WithBindNotAnAddress_SaysWhatItWas()
    {
        var run = await RunAsync("node", "--port", "0", "--bind", "nonsense");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Error: setting 'Bind' (command line --bind) must be an IP address, was 'nonsense'", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--bootstrap", "nohostport")]
    [InlineData("node", "--port", "0", "--bind", "127.0.0.1", "--bootstrap", "nohostport")]
    [InlineData("0", "--bind", "127.0.0.1", "nohostport")]
    [InlineData("0", "--bind", "127.0.0.1", "127.0.0.1:70000")]
    public async Task BadBootstrap_FailsNamingBootstrap(params string[] args)
    {
        var run = await RunAsync(args);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--bootstrap", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Node ID:", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_WithPipedScript_RunsItAndExitsCleanly()
    {
        var run = await RunWithInputAsync("status\nquit\n", "0", "--bind", "127.0.0.1");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("DHT node started on 127.0.0.1:", run.Output, StringComparison.Ordinal);
        Assert.Contains("Starting as bootstrap node", run.Output, StringComparison.Ordinal);
        Assert.Contains("Node ID:", run.Output, StringComparison.Ordinal);
        Assert.Contains("Contacts:   0 in", run.Output, StringComparison.Ordinal);
        Assert.EndsWith("Shutting down" + Environment.NewLine, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_WithPipedScript_PrintsInInputOrder_AtAnyParallelism()
    {
        var one = await RunWithInputAsync("help\nfrobnicate\nstatus\n", "0", "--bind", "127.0.0.1", "--parallel", "1");
        var many = await RunWithInputAsync("help\nfrobnicate\nstatus\n", "0", "--bind", "127.0.0.1", "--parallel", "256");

        foreach (var run in new[] { one, many })
        {
            Assert.Equal(0, run.ExitCode);
            Assert.True(run.Output.IndexOf("Commands:", StringComparison.Ordinal) < run.Output.IndexOf("Node ID:    ", StringComparison.Ordinal), run.Output);
            Assert.Equal("Unknown command: frobnicate. Type 'help' for the list of commands." + Environment.NewLine, run.Error);
        }
    }

    [Fact]
    public async Task Node_WithEmptyInput_ExitsCleanlyAtEndOfInput()
    {
        var run = await RunWithInputAsync("", "0", "--bind", "127.0.0.1");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Node ID:", run.Output, StringComparison.Ordinal);
        Assert.Contains("Shutting down", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "8002", "localhost:8001" }, new[] { "node", "--port", "8002", "--bootstrap", "localhost:8001" })]
    [InlineData(new[] { "8001" }, new[] { "node", "--port", "8001" })]
    [InlineData(new[] { "8003", "a:1", "b:2" }, new[] { "node", "--port", "8003", "--bootstrap", "a:1", "--bootstrap", "b:2" })]
    [InlineData(new[] { "8002", "--verbose", "localhost:8001" }, new[] { "node", "--port", "8002", "--verbose", "--bootstrap", "localhost:8001" })]
    [InlineData(new[] { "8002", "-v", "localhost:8001" }, new[] { "node", "--port", "8002", "-v", "--bootstrap", "localhost:8001" })]
    [InlineData(new[] { "8002", "localhost:8001", "--no-shell" }, new[] { "node", "--port", "8002", "--bootstrap", "localhost:8001", "--no-shell" })]
    [InlineData(new[] { "8002", "--bind", "127.0.0.1", "localhost:8001" }, new[] { "node", "--port", "8002", "--bind", "127.0.0.1", "--bootstrap", "localhost:8001" })]
    [InlineData(new[] { "8002", "localhost:8001", "--bind", "127.0.0.1" }, new[] { "node", "--port", "8002", "--bootstrap", "localhost:8001", "--bind", "127.0.0.1" })]
    [InlineData(new[] { "8002", "--log-level", "Debug", "a:1" }, new[] { "node", "--port", "8002", "--log-level", "Debug", "--bootstrap", "a:1" })]
    [InlineData(new[] { "8002", "--bootstrap", "a:1" }, new[] { "node", "--port", "8002", "--bootstrap", "a:1" })]
    [InlineData(new[] { "8002", "-b", "a:1" }, new[] { "node", "--port", "8002", "-b", "a:1" })]
    [InlineData(new[] { "8002", "--read-only", "a:1" }, new[] { "node", "--port", "8002", "--read-only", "--bootstrap", "a:1" })]
    [InlineData(new[] { "8002", "--named-values", "false", "a:1" }, new[] { "node", "--port", "8002", "--named-values", "false", "--bootstrap", "a:1" })]
    [InlineData(new[] { "8002", "--max-items", "5", "a:1" }, new[] { "node", "--port", "8002", "--max-items", "5", "--bootstrap", "a:1" })]
    [InlineData(new[] { "8002", "--parallel", "4", "a:1" }, new[] { "node", "--port", "8002", "--parallel", "4", "--bootstrap", "a:1" })]
    public void RewriteShortForm_ExpandsPortAndBootstrapNodes(string[] args, string[] expected)
    {
        Assert.Equal(expected, CliApp.RewriteShortForm(args));
    }

    [Theory]
    [InlineData]
    [InlineData("--help")]
    [InlineData("node", "--port", "8001")]
    [InlineData("localhost:8001")]
    [InlineData("80a1")]
    public void RewriteShortForm_LeavesOtherFormsAlone(params string[] args)
    {
        Assert.Equal(args, CliApp.RewriteShortForm(args));
    }

    private static Task<CliRun> RunAsync(params string[] args) => RunWithInputAsync("", args);

    private static async Task<CliRun> RunWithInputAsync(string input, params string[] args)
    {
        using var cts = new CancellationTokenSource(Bound);
        using var reader = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(input));
        await using var output = new StringWriter();
        await using var error = new StringWriter();
        // An empty environment: no DHT_ variable of the machine running the tests changes the settings.
        int exitCode = await CliApp.RunAsync(args, reader, output, error, new System.Collections.Hashtable(), cts.Token).WaitAsync(cts.Token);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }
}
