// Readers for the list-valued KRPC fields kept in encoded form ("values", "want").
using Dht.Protocol.Bencode;

namespace Dht.Protocol.Krpc;

/// <summary>Decodes the encoded lists of a <see cref="KrpcMessage"/> on demand.</summary>
internal static class KrpcLists
{
    /// <summary>
    /// Adds the usable compact peers of an encoded <c>values</c> list to <paramref name="into"/>, at most
    /// <paramref name="max"/>. Entries of the wrong size are skipped.
    /// </summary>
    public static void ReadPeers(ReadOnlySpan<byte> values, List<NetEndPoint> into, int max = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(into);
        var reader = new BencodeReader(values);
        if (!reader.Read() || reader.TokenType != BencodeTokenType.StartList)
        {
            return;
        }

        while (into.Count < max && reader.Read() && reader.TokenType == BencodeTokenType.String)
        {
            if (CompactEncoding.TryReadPeer(reader.ValueSpan, out var peer) && !peer.IsUnusable)
            {
                into.Add(peer);
            }
        }
    }

    /// <summary>Encodes endpoints as a <c>values</c> list of compact peers.</summary>
    public static void WritePeers(IReadOnlyList<NetEndPoint> peers, System.Buffers.IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(peers);
        var w = new BencodeWriter(output);
        Span<byte> compact = stackalloc byte[CompactEncoding.PeerV6Size];
        w.WriteStartList();
        for (int i = 0; i < peers.Count; i++)
        {
            int n = CompactEncoding.WritePeer(peers[i], compact);
            w.WriteString(compact[..n]);
        }

        w.WriteEnd();
    }

    /// <summary>Reads BEP 32 <c>want</c>: whether "n4" and "n6" are asked for.</summary>
    public static (bool WantV4, bool WantV6) ReadWant(ReadOnlySpan<byte> want)
    {
        bool v4 = false, v6 = false;
        var reader = new BencodeReader(want);
        if (!reader.Read() || reader.TokenType != BencodeTokenType.StartList)
        {
            return (false, false);
        }

        while (reader.Read() && reader.TokenType == BencodeTokenType.String)
        {
            v4 |= reader.ValueSpan.SequenceEqual("n4"u8);
            v6 |= reader.ValueSpan.SequenceEqual("n6"u8);
        }

        return (v4, v6);
    }
}
