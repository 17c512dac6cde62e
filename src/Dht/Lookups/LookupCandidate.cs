using Dht.Protocol;

namespace Dht.Lookups;

/// <summary>
/// A node known to a lookup. A mutable struct kept inline in the lookup's sorted list, so that thousands of
/// concurrent lookups do not allocate an object per node they hear of.
/// </summary>
internal struct LookupCandidate
{
    public NodeInfo Node;

    /// <summary>XOR distance to the target, kept to order the list without recomputing it.</summary>
    public NodeId Distance;

    public LookupNodeState State;

    /// <summary>Hops from the seeds: seeds are 0, a node first learned from a depth-d responder is d + 1.</summary>
    public int Depth;

    /// <summary>When the node was last asked; meaningful once it has been contacted.</summary>
    public DateTimeOffset SentAt;

    /// <summary>When the query stops holding a slot and the lookup; meaningful once the node has been contacted.</summary>
    public DateTimeOffset SoftDeadline;

    /// <summary>From when an answer no longer counts; meaningful once the node has been contacted.</summary>
    public DateTimeOffset HardDeadline;

    public LookupCandidate(NodeInfo node, NodeId distance, int depth)
    {
        Node = node;
        Distance = distance;
        State = LookupNodeState.NotContacted;
        Depth = depth;
        SentAt = default;
        SoftDeadline = default;
        HardDeadline = default;
    }
}
