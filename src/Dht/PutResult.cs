using System.Diagnostics;
using Dht.Protocol;
using Dht.Telemetry;

namespace Dht;

/// <summary>The outcome of a put or delete: which version was written and how many nodes accepted it.</summary>
/// <param name="Key">The key name.</param>
/// <param name="Target">SHA-1 of the key name: where the value lives in the keyspace.</param>
/// <param name="Seq">The version written.</param>
/// <param name="NodesStored">Nodes among the k closest that accepted the store.</param>
/// <param name="NodesAsked">Nodes the store was sent to: the k closest that answered the lookup with a write token.</param>
public sealed record PutResult(string Key, NodeId Target, long Seq, int NodesStored, int NodesAsked) : IOperationResult
{
    /// <summary>Nodes that answered the store, accepting or refusing it (the others timed out).</summary>
    public int NodesAnswered { get; init; }

    /// <summary>
    /// This node kept a copy too (not counted in <see cref="NodesStored"/>): it is among the k closest to the key,
    /// as in any network of k nodes or fewer and when it knows no other node. It serves the copy and hands it to
    /// closer nodes as they join.
    /// </summary>
    public bool StoredLocally { get; init; }

    /// <summary>
    /// Places among the k closest still to be written when this returned: nodes that others overtook with their
    /// answers during the lookup, so the write did not wait for them. Each gets the write when it answers, or the
    /// next closest node that answered does if it falls silent.
    /// </summary>
    public int NodesPending { get; init; }

    /// <summary>Nodes that answered the lookup before the store: 0 means no node answered, and nothing was sent.</summary>
    public int NodesReached { get; init; }

    /// <summary>
    /// True when the newest version found before the write (in the answers to its lookup, or this node's own last
    /// put) was a live value; false when none was found or it was a tombstone. For a delete: whether there was a
    /// value to delete.
    /// </summary>
    public bool HadValue { get; init; }

    /// <summary>Stored (at least one node accepted it, or this node kept a copy), not stored, or not sent because no node answered.</summary>
    public WriteStatus Status => WriteResults.StatusOf(NodesStored > 0 || StoredLocally, NodesReached);

    string IOperationResult.Outcome => Outcomes.Of(Status);

    void IOperationResult.Describe(Activity activity) =>
        WriteResults.Describe(activity, NodesReached, NodesAsked, NodesAnswered, NodesStored, NodesPending);
}
