using System.Diagnostics;
using Dht.Protocol;
using Dht.Telemetry;

namespace Dht;

/// <summary>The outcome of an announce: how many of the closest nodes accepted it.</summary>
/// <param name="InfoHash">The torrent's info-hash.</param>
/// <param name="NodesAccepted">Nodes that accepted the announce.</param>
/// <param name="NodesAsked">Nodes the announce was sent to: the k closest that answered the get_peers lookup with a token.</param>
public sealed record AnnounceResult(NodeId InfoHash, int NodesAccepted, int NodesAsked) : IOperationResult
{
    /// <summary>Nodes that answered the announce, accepting or refusing it (the others timed out).</summary>
    public int NodesAnswered { get; init; }

    /// <summary>
    /// Places among the k closest still to be written when this returned: nodes that others overtook with their
    /// answers during the lookup, so the write did not wait for them. Each gets the write when it answers, or the
    /// next closest node that answered does if it falls silent.
    /// </summary>
    public int NodesPending { get; init; }

    /// <summary>Nodes that answered the get_peers lookup before the announce: 0 means no node answered, and nothing was sent.</summary>
    public int NodesReached { get; init; }

    /// <summary>Stored (at least one node accepted it), not stored, or not sent because no node answered.</summary>
    public WriteStatus Status => WriteResults.StatusOf(NodesAccepted > 0, NodesReached);

    string IOperationResult.Outcome => Outcomes.Of(Status);

    void IOperationResult.Describe(Activity activity) =>
        WriteResults.Describe(activity, NodesReached, NodesAsked, NodesAnswered, NodesAccepted, NodesPending);
}
