// Which address a socket bound to the wildcard (0.0.0.0, ::) is reached at. Such a socket has no address of
// its own; the useful answer is the one the system sends from on its default route (the primary interface),
// which it tells a UDP socket "connected" to an address beyond this machine. No datagram is sent.
using System.Net;
using System.Net.Sockets;
using Dht.Protocol;

namespace Dht.Net;

/// <summary>The concrete address of a socket bound to the wildcard address.</summary>
internal static class SourceAddress
{
    // Documentation addresses (RFC 5737, RFC 3849): never local, so the route to them is the default one.
    private static readonly IPAddress ProbeV4 = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress ProbeV6 = IPAddress.Parse("2001:db8::1");

    /// <summary>
    /// <paramref name="bound"/> itself unless its address is the wildcard; then the same port at the address of
    /// the default route, or at loopback when the machine has no route (the only place it can be reached).
    /// </summary>
    public static NetEndPoint Of(NetEndPoint bound)
    {
        var boundAddress = bound.ToIPEndPoint().Address;
        if (!boundAddress.Equals(IPAddress.Any) && !boundAddress.Equals(IPAddress.IPv6Any))
        {
            return bound;
        }

        var family = bound.IsIPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        var address = bound.IsIPv6 ? IPAddress.IPv6Loopback : IPAddress.Loopback;
        try
        {
            using var probe = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
            probe.Connect(new IPEndPoint(bound.IsIPv6 ? ProbeV6 : ProbeV4, 9));
            if (probe.LocalEndPoint is IPEndPoint { Address: var source } && !source.Equals(boundAddress))
            {
                address = source;
            }
        }
        catch (SocketException)
        {
            // No route: the socket is reachable on loopback only.
        }

        return NetEndPoint.FromIPEndPoint(new IPEndPoint(address, bound.Port));
    }
}
