using Dht.Protocol;

namespace Dht;

/// <summary>The outcome of a put or delete: which version was written and how many nodes accepted it.</summary>
/// <param name="Key">The key name.</param>
/// <param name="Target">SHA-1 of the key name: where the value lives in the keyspace.</param>
/// <param name="Seq">The version written.</param>
/// <param name="NodesStored">Nodes among the k closest that accepted the store.</param>
/// <param name="NodesAsked">Nodes the store was sent to: the k closest that answered the lookup with a write token.</param>
public sealed record PutResult(string Key, NodeId Target, long Seq, int NodesStored, int NodesAsked)
{
    /// <summary>Nodes that answered the store, accepting or refusing it (the others timed out).</summary>
    public int NodesAnswered { get; init; }

    /// <summary>
    /// This node kept a copy too (not counted in <see cref="NodesStored"/>): it is among the k closest to the key,
    /// as in any network of k nodes or fewer and when it knows no other node. It serves the copy and hands it to
    /// closer nodes as they join.
    /// </summary>
    public bool StoredLocally { get; init; }
}
