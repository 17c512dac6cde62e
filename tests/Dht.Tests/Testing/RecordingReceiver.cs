using Dht.Protocol;
using Dht.Simulation;
using Dht.Transport;

namespace Dht.Tests.Testing;

/// <summary>Records every datagram it receives with the virtual time of arrival.</summary>
internal sealed class RecordingReceiver : IDatagramReceiver
{
    private readonly TimeProvider _clock;

    public RecordingReceiver(TimeProvider clock) => _clock = clock;

    public List<(DateTimeOffset Time, NetEndPoint Source, byte[] Payload)> Received { get; } = [];

    public void OnDatagram(NetEndPoint source, ReadOnlySpan<byte> datagram) =>
        Received.Add((_clock.GetUtcNow(), source, datagram.ToArray()));
}
