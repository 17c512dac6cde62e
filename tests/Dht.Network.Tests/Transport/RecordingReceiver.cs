using Dht.Protocol;
using Dht.Transport;

namespace Dht.Tests.Transport;

/// <summary>
/// Keeps a copy of every datagram and lets a test await the n-th one. Datagrams whose first byte is
/// <see cref="ThrowMarker"/> make it throw instead, to exercise the transport's fault handling.
/// </summary>
internal sealed class RecordingReceiver : IDatagramReceiver
{
    public const byte ThrowMarker = 0xFF;

    private readonly Lock _lock = new();
    private readonly List<(NetEndPoint Source, byte[] Data)> _received = [];
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _received.Count;
            }
        }
    }

    public void OnDatagram(NetEndPoint source, ReadOnlySpan<byte> datagram)
    {
        if (!datagram.IsEmpty && datagram[0] == ThrowMarker)
        {
            throw new InvalidOperationException("Receiver failure requested by the test.");
        }

        lock (_lock)
        {
            _received.Add((source, datagram.ToArray()));
            foreach (var (count, done) in _waiters)
            {
                if (_received.Count >= count)
                {
                    done.TrySetResult();
                }
            }
        }
    }

    /// <summary>Completes when at least <paramref name="count"/> datagrams have arrived.</summary>
    public Task WaitForCountAsync(int count, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_received.Count >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    public (NetEndPoint Source, byte[] Data) this[int index]
    {
        get
        {
            lock (_lock)
            {
                return _received[index];
            }
        }
    }
}
