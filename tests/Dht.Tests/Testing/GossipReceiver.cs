using Dht.Protocol;
using Dht.Simulation;
using Dht.Transport;

namespace Dht.Tests.Testing;

/// <summary>
/// Logs each arrival and forwards the datagram to a node chosen from its payload and hop count, so a trace of
/// many of them depends on the order and timing of every delivery, on loss and on jitter.
/// </summary>
internal sealed class GossipReceiver(
    SimulationClock clock, SimulatedTransport self, SimulatedTransport[] all, List<string> trace) : IDatagramReceiver
{
    public void OnDatagram(NetEndPoint source, ReadOnlySpan<byte> datagram)
    {
        trace.Add($"{clock.GetUtcNow().UtcTicks} {source}->{self.LocalEndPoint} {Convert.ToHexString(datagram)}");
        byte hops = datagram[1];
        if (hops < 40)
        {
            int next = (datagram[0] + (hops * 13) + (int)(self.LocalEndPoint.IPv4 & 0xFF)) % all.Length;
            self.Send(all[next].LocalEndPoint, [datagram[0], (byte)(hops + 1)]);
        }
    }
}
