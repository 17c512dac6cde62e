// BEP 5 "compact" encodings: node info is the 20-byte id followed by the peer form; peer info is the
// address in network order followed by the port, big-endian. IPv4 forms are 26 and 6 bytes, IPv6
// (BEP 32) 38 and 18 bytes.
using System.Buffers.Binary;

namespace Dht.Protocol;

/// <summary>Reads and writes compact node info and compact peer info (BEP 5, BEP 32).</summary>
internal static class CompactEncoding
{
    /// <summary>Compact IPv4 peer info: 4-byte address and 2-byte port.</summary>
    public const int PeerV4Size = 6;

    /// <summary>Compact IPv6 peer info: 16-byte address and 2-byte port.</summary>
    public const int PeerV6Size = 18;

    /// <summary>Compact IPv4 node info: id and compact peer info.</summary>
    public const int NodeV4Size = NodeId.Size + PeerV4Size;

    /// <summary>Compact IPv6 node info: id and compact peer info.</summary>
    public const int NodeV6Size = NodeId.Size + PeerV6Size;

    /// <summary>Reads compact peer info of 6 (IPv4) or 18 (IPv6) bytes.</summary>
    public static bool TryReadPeer(ReadOnlySpan<byte> source, out NetEndPoint endPoint)
    {
        switch (source.Length)
        {
            case PeerV4Size:
                endPoint = NetEndPoint.FromIPv4(source[..4], BinaryPrimitives.ReadUInt16BigEndian(source[4..]));
                return true;
            case PeerV6Size:
                endPoint = NetEndPoint.FromIPv6(source[..16], BinaryPrimitives.ReadUInt16BigEndian(source[16..]));
                return true;
            default:
                endPoint = default;
                return false;
        }
    }

    /// <summary>Writes compact peer info; returns the bytes written (6 or 18).</summary>
    public static int WritePeer(NetEndPoint endPoint, Span<byte> destination)
    {
        int n = endPoint.WriteAddress(destination);
        BinaryPrimitives.WriteUInt16BigEndian(destination[n..], endPoint.Port);
        return n + 2;
    }

    /// <summary>Size of the compact peer form of an endpoint.</summary>
    public static int PeerSize(NetEndPoint endPoint) => endPoint.IsIPv6 ? PeerV6Size : PeerV4Size;

    /// <summary>Reads one compact node info of 26 (IPv4) or 38 (IPv6) bytes.</summary>
    public static bool TryReadNode(ReadOnlySpan<byte> source, out NodeInfo node)
    {
        if ((source.Length != NodeV4Size && source.Length != NodeV6Size)
            || !TryReadPeer(source[NodeId.Size..], out var endPoint))
        {
            node = default;
            return false;
        }

        node = new NodeInfo(new NodeId(source[..NodeId.Size]), endPoint);
        return true;
    }

    /// <summary>Writes one compact node info; returns the bytes written (26 or 38).</summary>
    public static int WriteNode(NodeInfo node, Span<byte> destination)
    {
        node.Id.WriteTo(destination);
        return NodeId.Size + WritePeer(node.EndPoint, destination[NodeId.Size..]);
    }

    /// <summary>
    /// Decodes a concatenated "nodes" (26-byte entries) or "nodes6" (38-byte entries) string. Entries with
    /// port 0 or an unspecified address are skipped, never contacted. Returns false if the length is not a
    /// multiple of the entry size.
    /// </summary>
    public static bool TryReadNodes(ReadOnlySpan<byte> source, bool ipv6, List<NodeInfo> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        int size = ipv6 ? NodeV6Size : NodeV4Size;
        if (source.Length % size != 0)
        {
            return false;
        }

        for (int i = 0; i < source.Length; i += size)
        {
            if (TryReadNode(source.Slice(i, size), out var node) && !node.EndPoint.IsUnusable)
            {
                into.Add(node);
            }
        }

        return true;
    }
}
