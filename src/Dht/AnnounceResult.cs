using Dht.Protocol;

namespace Dht;

/// <summary>The outcome of an announce: how many of the closest nodes accepted it.</summary>
/// <param name="InfoHash">The torrent's info-hash.</param>
/// <param name="NodesAccepted">Nodes that accepted the announce.</param>
/// <param name="NodesAsked">Nodes the announce was sent to: the k closest that answered the get_peers lookup with a token.</param>
public sealed record AnnounceResult(NodeId InfoHash, int NodesAccepted, int NodesAsked)
{
    /// <summary>Nodes that answered the announce, accepting or refusing it (the others timed out).</summary>
    public int NodesAnswered { get; init; }
}
