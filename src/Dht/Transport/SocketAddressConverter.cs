// Converts between the native socket address bytes held by System.Net.SocketAddress and NetEndPoint,
// without allocating: the packet path would otherwise create an IPEndPoint and an IPAddress per datagram.
//
// Layout (sockaddr_in / sockaddr_in6, the same on every platform .NET supports apart from the family
// field, which SocketAddress.Family decodes for us): the port is big-endian at bytes 2-3; an IPv4
// address is at bytes 4-7; an IPv6 address is at bytes 8-23 (after the 4-byte flow info), followed by
// the 4-byte scope id.
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Dht.Protocol;

namespace Dht.Transport;

/// <summary>Allocation-free conversion between <see cref="SocketAddress"/> and <see cref="NetEndPoint"/>.</summary>
internal static class SocketAddressConverter
{
    private const int PortOffset = 2;
    private const int IPv4AddressOffset = 4;
    private const int IPv6AddressOffset = 8;
    private const int IPv4Size = 16;
    private const int IPv6Size = 28;

    /// <summary>
    /// Reads an IPv4 or IPv6 socket address. An IPv4-mapped IPv6 address becomes IPv4, so that a peer
    /// has one identity whichever socket it reached us on. Returns false for other families.
    /// </summary>
    public static bool TryRead(SocketAddress address, out NetEndPoint endPoint)
    {
        var bytes = address.Buffer.Span[..address.Size];
        switch (address.Family)
        {
            case AddressFamily.InterNetwork when bytes.Length >= IPv4Size:
                endPoint = NetEndPoint.FromIPv4(
                    bytes.Slice(IPv4AddressOffset, 4),
                    BinaryPrimitives.ReadUInt16BigEndian(bytes[PortOffset..]));
                return true;
            case AddressFamily.InterNetworkV6 when bytes.Length >= IPv6Size:
                var ip = bytes.Slice(IPv6AddressOffset, 16);
                ushort port = BinaryPrimitives.ReadUInt16BigEndian(bytes[PortOffset..]);
                endPoint = IsIPv4Mapped(ip)
                    ? NetEndPoint.FromIPv4(ip[12..], port)
                    : NetEndPoint.FromIPv6(ip, port);
                return true;
            default:
                endPoint = default;
                return false;
        }
    }

    /// <summary>
    /// Writes the port and address of <paramref name="endPoint"/> into <paramref name="address"/>, which
    /// must have been created for the endpoint's family: the family field is left as the constructor
    /// wrote it, because its encoding differs between platforms. Flow info and scope id stay zero.
    /// </summary>
    public static void Write(NetEndPoint endPoint, SocketAddress address)
    {
        var expected = endPoint.IsIPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        if (address.Family != expected)
        {
            throw new ArgumentException($"The socket address is {address.Family}, the endpoint {expected}.", nameof(address));
        }

        var bytes = address.Buffer.Span;
        address.Size = endPoint.IsIPv6 ? IPv6Size : IPv4Size;
        BinaryPrimitives.WriteUInt16BigEndian(bytes[PortOffset..], endPoint.Port);
        endPoint.WriteAddress(bytes[(endPoint.IsIPv6 ? IPv6AddressOffset : IPv4AddressOffset)..]);
    }

    /// <summary>A new socket address for <paramref name="endPoint"/> (allocates; for caches and tests).</summary>
    public static SocketAddress Create(NetEndPoint endPoint)
    {
        var address = new SocketAddress(endPoint.IsIPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
        Write(endPoint, address);
        return address;
    }

    private static bool IsIPv4Mapped(ReadOnlySpan<byte> ip) =>
        BinaryPrimitives.ReadUInt64BigEndian(ip) == 0 && BinaryPrimitives.ReadUInt32BigEndian(ip[8..]) == 0xFFFF;
}
