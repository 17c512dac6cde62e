using Dht.Protocol;

namespace Dht.Transport;

/// <summary>Receives datagrams from an <see cref="IDatagramTransport"/>.</summary>
public interface IDatagramReceiver
{
    /// <summary>
    /// Handles one datagram. <paramref name="datagram"/> is valid only during the call: copy what must be
    /// kept. Implementations must not throw.
    /// </summary>
    void OnDatagram(NetEndPoint source, ReadOnlySpan<byte> datagram);
}
