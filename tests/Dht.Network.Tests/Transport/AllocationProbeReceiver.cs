using Dht.Protocol;
using Dht.Transport;

namespace Dht.Tests.Transport;

/// <summary>
/// Records the receive thread's allocated-bytes counter at each datagram, itself allocating nothing, so
/// the difference between two samples is what the transport allocated between two deliveries.
/// </summary>
internal sealed class AllocationProbeReceiver(int expected) : IDatagramReceiver
{
    private readonly long[] _samples = new long[expected];
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _count;

    public IReadOnlyList<long> Samples => _samples;

    public void OnDatagram(NetEndPoint source, ReadOnlySpan<byte> datagram)
    {
        if (_count < _samples.Length)
        {
            _samples[_count++] = GC.GetAllocatedBytesForCurrentThread();
            if (_count == _samples.Length)
            {
                _done.TrySetResult();
            }
        }
    }

    public Task WaitAsync(CancellationToken cancellationToken) => _done.Task.WaitAsync(cancellationToken);
}
