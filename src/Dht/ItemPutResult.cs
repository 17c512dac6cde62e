using Dht.Protocol;

namespace Dht;

/// <summary>The outcome of a BEP 44 put.</summary>
/// <param name="Target">Where the item lives: SHA-1 of the encoded value (immutable) or of key and salt (mutable).</param>
/// <param name="Seq">The version written (0 for immutable items).</param>
/// <param name="NodesStored">Nodes that accepted the put.</param>
/// <param name="NodesAsked">Nodes the put was sent to: the k closest that answered the lookup with a write token.</param>
/// <param name="ErrorCodes">KRPC error codes of the nodes that refused (e.g. 302 when a newer version is held).</param>
public sealed record ItemPutResult(NodeId Target, long Seq, int NodesStored, int NodesAsked, IReadOnlyList<int> ErrorCodes)
{
    /// <summary>Nodes that answered the put, accepting or refusing it (the others timed out).</summary>
    public int NodesAnswered { get; init; }

    /// <summary>
    /// This node kept a copy too (not counted in <see cref="NodesStored"/>): it is among the k closest to the
    /// target, as in any network of k nodes or fewer and when it knows no other node. It serves the copy and
    /// hands it to closer nodes as they join.
    /// </summary>
    public bool StoredLocally { get; init; }
}
