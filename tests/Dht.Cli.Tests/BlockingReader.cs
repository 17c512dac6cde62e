namespace Dht.Cli.Tests;

/// <summary>
/// Standard input as the console gives it: <see cref="ReadLineAsync(CancellationToken)"/> blocks the caller
/// in a synchronous read and ignores the token. Disposing releases the read.
/// </summary>
internal sealed class BlockingReader : TextReader
{
    private readonly ManualResetEventSlim _release = new();
    private readonly TaskCompletionSource _reading = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static readonly TimeSpan ReadBound = TimeSpan.FromSeconds(30);

    /// <summary>Completes once a read has started.</summary>
    public Task Reading => _reading.Task;

    /// <summary>True when a read gave up waiting (after 30 s) instead of being released.</summary>
    public bool TimedOut { get; private set; }

    public override string? ReadLine()
    {
        _reading.TrySetResult();
        TimedOut |= !_release.Wait(ReadBound);
        return null;
    }

    public override ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken) => new(ReadLine());

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _release.Set();
        }

        base.Dispose(disposing);
    }
}
