using Dht.Protocol;

namespace Dht.Simulation;

/// <summary>A datagram on its way through the simulated network; pooled by the network between uses.</summary>
internal sealed class InFlightDatagram
{
    public NetEndPoint Source { get; set; }

    public NetEndPoint Destination { get; set; }

    /// <summary>A pooled buffer holding the payload in its first <see cref="Length"/> bytes.</summary>
    public byte[] Buffer { get; set; } = [];

    public int Length { get; set; }
}
