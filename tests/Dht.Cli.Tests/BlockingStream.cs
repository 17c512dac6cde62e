namespace Dht.Cli.Tests;

/// <summary>
/// Standard input as the console gives it: a read blocks the caller in a synchronous call and ignores any
/// token. Disposing releases the read.
/// </summary>
internal sealed class BlockingStream : Stream
{
    private static readonly TimeSpan ReadBound = TimeSpan.FromSeconds(30);

    private readonly ManualResetEventSlim _release = new();
    private readonly TaskCompletionSource _reading = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once a read has started.</summary>
    public Task Reading => _reading.Task;

    /// <summary>True when a read gave up waiting (after 30 s) instead of being released.</summary>
    public bool TimedOut { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        _reading.TrySetResult();
        TimedOut |= !_release.Wait(ReadBound);
        return 0;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _release.Set();
        }

        base.Dispose(disposing);
    }
}
