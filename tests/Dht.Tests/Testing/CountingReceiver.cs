using Dht.Protocol;
using Dht.Transport;

namespace Dht.Tests.Testing;

/// <summary>Counts datagrams without keeping them, for runs too large to record.</summary>
internal sealed class CountingReceiver : IDatagramReceiver
{
    public int Count { get; private set; }

    public void OnDatagram(NetEndPoint source, ReadOnlySpan<byte> datagram) => Count++;
}
