using Dht.Protocol;

namespace Dht.Peers;

/// <summary>
/// Peers announced to this node (BEP 5 announce_peer), served back to get_peers. Token checks, the
/// implied_port rule and endpoint validation happen before a call reaches the store.
/// </summary>
internal interface IPeerStore
{
    /// <summary>Info-hashes held, including any whose peers have all expired since the last <see cref="Expire"/>.</summary>
    int InfoHashCount { get; }

    /// <summary>Peer entries held, including expired ones not yet removed by <see cref="Expire"/>.</summary>
    int PeerCount { get; }

    /// <summary>
    /// Adds <paramref name="peer"/> to <paramref name="infoHash"/>'s swarm, or refreshes it if already there.
    /// <paramref name="source"/> is the announce's sender, which per-source limits count (default: the peer
    /// itself, whose address is the sender's for a BEP 5 announce).
    /// </summary>
    PeerAnnounceResult Announce(NodeId infoHash, NetEndPoint peer, bool seed, DateTimeOffset now, NetEndPoint source = default);

    /// <summary>
    /// Appends to <paramref name="into"/> up to <paramref name="max"/> unexpired peers of
    /// <paramref name="infoHash"/>, a uniform random sample drawn with <paramref name="random"/> when there
    /// are more. Returns the number appended.
    /// </summary>
    int GetPeers(NodeId infoHash, DateTimeOffset now, int max, Random random, List<NetEndPoint> into);

    /// <summary>Removes expired peers, and info-hashes left without peers.</summary>
    void Expire(DateTimeOffset now);
}
