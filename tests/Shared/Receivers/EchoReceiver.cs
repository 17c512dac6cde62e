using Dht.Protocol;
using Dht.Transport;

namespace Dht.TestSupport.Receivers;

/// <summary>Sends every datagram straight back to where it came from.</summary>
internal sealed class EchoReceiver(IDatagramTransport transport) : IDatagramReceiver
{
    public void OnDatagram(NetEndPoint source, ReadOnlySpan<byte> datagram) => transport.Send(source, datagram);
}
