using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Dht.Cli.Tests;

/// <summary>The <c>dht</c> command run as users run it: separate processes talking over loopback UDP.</summary>
public sealed partial class CliProcessTests(ITestOutputHelper log)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ShortForm_JoinsAnExistingNetwork_AndRunsThePipedScript()
    {
        using var cts = new CancellationTokenSource(Bound);
        int portA = FreeUdpPort.Next();
        await using var a = DhtProcess.Start(Port(portA), "--bind", "127.0.0.1", "--no-shell");
        string idLine = await a.WaitForLineAsync(l => l.StartsWith("Node ID:", StringComparison.Ordinal), cts.Token);
        string idA = idLine["Node ID:".Length..].Trim();
        Assert.Contains("Starting as bootstrap node", a.Output, StringComparison.Ordinal);

        int portB = FreeUdpPort.Next();
        await using var b = DhtProcess.Start(Port(portB), $"127.0.0.1:{Port(portA)}", "--bind", "127.0.0.1");
        await b.SendAndCloseInputAsync("status\nlookup hello\nquit\n", cts.Token);
        int exitB = await b.WaitForExitAsync(cts.Token);
        log.WriteLine($"node B:\n{b.Transcript}");

        string output = b.Output;
        Assert.True(exitB == 0, $"exit code {exitB}\n{b.Transcript}");
        Assert.Contains($"DHT node started on 127.0.0.1:{Port(portB)}", output, StringComparison.Ordinal);
        Assert.Contains($"Joining via 127.0.0.1:{Port(portA)}", output, StringComparison.Ordinal);
        Assert.Matches(JoinedLine(), output);
        var contacts = ContactsLine().Match(output);
        Assert.True(contacts.Success, b.Transcript);
        Assert.True(int.Parse(contacts.Groups[1].Value, CultureInfo.InvariantCulture) >= 1, b.Transcript);
        Assert.Matches(LookupLine(), output);
        Assert.Contains(idA, output, StringComparison.Ordinal); // A is among the closest nodes found
        Assert.EndsWith("Shutting down", output, StringComparison.Ordinal);

        int portC = FreeUdpPort.Next();
        await using var c = DhtProcess.Start(Port(portC), $"127.0.0.1:{Port(portA)}", "--bind", "127.0.0.1");
        await c.SendAndCloseInputAsync("status\n", cts.Token);
        int exitC = await c.WaitForExitAsync(cts.Token);
        log.WriteLine($"node C:\n{c.Transcript}");

        Assert.True(exitC == 0, $"exit code {exitC}\n{c.Transcript}");
        Assert.Contains("Node ID:    ", c.Output, StringComparison.Ordinal);
        Assert.Matches(ContactsLine(), c.Output);
        Assert.EndsWith("Shutting down", c.Output, StringComparison.Ordinal);
        Assert.False(a.HasExited(), a.Transcript); // the --no-shell node runs until it is stopped
    }

    [Theory]
    [InlineData("--no-shell")]
    [InlineData("--verbose")] // with the shell, waiting on a standard input that stays open
    public async Task OnSigterm_ShutsDownCleanly(string mode)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no SIGTERM to send
        }

        using var cts = new CancellationTokenSource(Bound);
        await using var node = DhtProcess.Start("0", "--bind", "127.0.0.1", mode);
        await node.WaitForLineAsync(l => l.StartsWith("Node ID:", StringComparison.Ordinal), cts.Token);

        await node.SendTerminateSignalAsync(cts.Token);
        int exit = await node.WaitForExitAsync(cts.Token);
        log.WriteLine(node.Transcript);

        Assert.True(exit == 0, $"exit code {exit}\n{node.Transcript}");
        Assert.EndsWith("Shutting down", node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoInput_ExitsCleanlyAtEndOfInput()
    {
        using var cts = new CancellationTokenSource(Bound);
        await using var node = DhtProcess.Start("0", "--bind", "127.0.0.1");
        await node.SendAndCloseInputAsync("", cts.Token);

        int exit = await node.WaitForExitAsync(cts.Token);

        Assert.True(exit == 0, $"exit code {exit}\n{node.Transcript}");
        Assert.Contains("Node ID:", node.Output, StringComparison.Ordinal);
        Assert.EndsWith("Shutting down", node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PortOutOfRange_FailsNamingPort()
    {
        using var cts = new CancellationTokenSource(Bound);
        await using var node = DhtProcess.Start("99999");
        await node.SendAndCloseInputAsync("", cts.Token);

        int exit = await node.WaitForExitAsync(cts.Token);

        Assert.True(exit != 0, node.Transcript);
        Assert.Contains("--port", node.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Node ID:", node.Output, StringComparison.Ordinal);
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^Joined: \d+ contact\(s\)$", RegexOptions.Multiline)]
    private static partial Regex JoinedLine();

    [GeneratedRegex(@"^Contacts:\s+(\d+) in \d+ bucket\(s\)$", RegexOptions.Multiline)]
    private static partial Regex ContactsLine();

    [GeneratedRegex(@"^Target [0-9a-f]{40}: \d+ closest node\(s\) after [1-9]\d* round trip\(s\)", RegexOptions.Multiline)]
    private static partial Regex LookupLine();
}
