using System.Diagnostics;
using Dht.Protocol;
using Dht.Telemetry;

namespace Dht;

/// <summary>The outcome of a BEP 44 put.</summary>
/// <param name="Target">Where the item lives: SHA-1 of the encoded value (immutable) or of key and salt (mutable).</param>
/// <param name="Seq">The version written (0 for immutable items).</param>
/// <param name="NodesStored">Nodes that accepted the put.</param>
/// <param name="NodesAsked">Nodes the put was sent to: the k closest that answered the lookup with a write token.</param>
/// <param name="ErrorCodes">KRPC error codes of the nodes that refused (e.g. 302 when a newer version is held).</param>
public sealed record ItemPutResult(NodeId Target, long Seq, int NodesStored, int NodesAsked, IReadOnlyList<int> ErrorCodes) : IOperationResult
{
    /// <summary>Nodes that answered the put, accepting or refusing it (the others timed out).</summary>
    public int NodesAnswered { get; init; }

    /// <summary>
    /// This node kept a copy too (not counted in <see cref="NodesStored"/>): it is among the k closest to the
    /// target, as in any network of k nodes or fewer and when it knows no other node. It serves the copy and
    /// hands it to closer nodes as they join.
    /// </summary>
    public bool StoredLocally { get; init; }

    /// <summary>
    /// Places among the k closest still to be written when this returned: nodes that others overtook with their
    /// answers during the lookup, so the write did not wait for them. Each gets the write when it answers, or the
    /// next closest node that answered does if it falls silent.
    /// </summary>
    public int NodesPending { get; init; }

    /// <summary>Nodes that answered the lookup before the put: 0 means no node answered, and nothing was sent.</summary>
    public int NodesReached { get; init; }

    /// <summary>Stored (at least one node accepted it, or this node kept a copy), not stored, or not sent because no node answered.</summary>
    public WriteStatus Status => WriteResults.StatusOf(NodesStored > 0 || StoredLocally, NodesReached);

    string IOperationResult.Outcome => Outcomes.Of(Status);

    void IOperationResult.Describe(Activity activity) =>
        WriteResults.Describe(activity, NodesReached, NodesAsked, NodesAnswered, NodesStored, NodesPending);
}
