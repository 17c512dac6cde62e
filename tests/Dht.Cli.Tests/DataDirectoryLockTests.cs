namespace Dht.Cli.Tests;

/// <summary>One node per data directory: a second `dht` on a directory in use says so and exits 1.</summary>
public sealed class DataDirectoryLockTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task SecondNode_OnADataDirectoryInUse_ExitsWith1_AndTheFirstRunsOn()
    {
        using var cts = new CancellationTokenSource(Bound);
        using var dirs = new PersistenceDataDirectory();
        string directory = dirs.For("shared");
        await using var first = DhtProcess.Start(PersistenceRestartTests.Port(), "--bind", "127.0.0.1", "--no-shell", "--data-dir", directory);
        await first.WaitForLineAsync(PersistenceRestartTests.NodeIdLine, cts.Token);

        await using var second = DhtProcess.Start(PersistenceRestartTests.Port(), "--bind", "127.0.0.1", "--no-shell", "--data-dir", directory);

        Assert.Equal(1, await second.WaitForExitAsync(cts.Token));
        Assert.Contains($"Error: data directory {directory} is in use by another dht process", second.Error, StringComparison.Ordinal);
        Assert.False(first.HasExited(), first.Transcript);
    }
}
