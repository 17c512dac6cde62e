namespace Dht.Cli.Tests;

/// <summary>The periodic status line of a node without a shell, as its log shows it.</summary>
public sealed class StatusLineTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task NoShellNode_LogsItsStatus_AtTheDefaultLevel()
    {
        using var cts = new CancellationTokenSource(Bound);
        await using var node = DhtProcess.Start("node", "--port", "0", "--bind", "127.0.0.1", "--no-shell", "--status-interval", "100ms");

        string line = await node.WaitForErrorLineAsync(l => l.Contains("contacts,", StringComparison.Ordinal), cts.Token);

        Assert.Contains("info: Dht.Status[", line, StringComparison.Ordinal);
        Assert.Contains(
            "0 contacts, 0 values, 0 items, 0 peers held; queries 0 in, 0 out, 0 timed out", line, StringComparison.Ordinal);
        Assert.DoesNotContain("info: Dht.Node", node.Error, StringComparison.Ordinal); // the default level stays Warning
    }
}
