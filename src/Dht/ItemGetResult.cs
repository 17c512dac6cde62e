using Dht.Protocol;

namespace Dht;

/// <summary>The outcome of a BEP 44 get: the newest valid item found, or not found.</summary>
/// <param name="Target">The item's target.</param>
/// <param name="Found">True when a valid item (hash or signature checked) was found.</param>
/// <param name="Value">The value when it is a bencoded byte string, else the encoded value.</param>
/// <param name="EncodedValue">The value as bencoded on the wire.</param>
/// <param name="Seq">The version (mutable items), 0 otherwise.</param>
/// <param name="NodesWithItem">Nodes that answered with this version.</param>
public sealed record ItemGetResult(NodeId Target, bool Found, ReadOnlyMemory<byte> Value, ReadOnlyMemory<byte> EncodedValue, long Seq, int NodesWithItem)
{
    /// <summary>Nodes the lookup asked.</summary>
    public int NodesAsked { get; init; }

    /// <summary>Nodes that answered the lookup.</summary>
    public int NodesAnswered { get; init; }
}
