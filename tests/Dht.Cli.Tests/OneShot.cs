using Xunit.Abstractions;

namespace Dht.Cli.Tests;

/// <summary>Runs one <c>dht</c> command as a process with the given standard input, logging its transcript.</summary>
internal static class OneShot
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    public static Task<CliRun> RunAsync(ITestOutputHelper log, string input, params string[] args) =>
        RunAsync(log, System.Text.Encoding.UTF8.GetBytes(input), args);

    public static async Task<CliRun> RunAsync(ITestOutputHelper log, byte[] input, params string[] args)
    {
        using var cts = new CancellationTokenSource(Bound);
        await using var process = DhtProcess.Start(args);
        await process.SendBytesAndCloseInputAsync(input, cts.Token);
        int exitCode = await process.WaitForExitAsync(cts.Token);
        log.WriteLine($"dht {string.Join(' ', args)} => {exitCode}\n{process.Transcript}");
        return new CliRun(exitCode, process.Output, process.Error);
    }
}
