namespace Dht.Peers;

/// <summary>Limits of the announced-peer store. Every one is enforced; together they bound its memory.</summary>
internal sealed class PeerStoreOptions
{
    /// <summary>
    /// How long an announced peer is kept without a new announce. Default 30 minutes: BEP 5 leaves it open,
    /// and clients commonly re-announce every 15-30 minutes (libtorrent keeps peers 45 minutes, one and a
    /// half of its 30-minute announce interval).
    /// </summary>
    public TimeSpan PeerLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Peers kept per info-hash; when full, a new peer replaces the least recently announced one. Default
    /// 500, libtorrent's dht_max_peers. Only a handful of nodes store any one info-hash, so a popular
    /// swarm's peers are spread over many announces and a few hundred is plenty to answer get_peers.
    /// </summary>
    public int MaxPeersPerInfoHash { get; set; } = 500;

    /// <summary>
    /// Info-hashes kept. When full, a new info-hash replaces the one with the fewest peers (among those,
    /// the one that went longest without an announce, approximately). Default 2,000, libtorrent's
    /// dht_max_torrents: a node is among the closest for few info-hashes, so legitimate use stays far
    /// below it. With <see cref="MaxPeersPerInfoHash"/> this bounds the store to one million entries
    /// (tens of megabytes) whatever is announced.
    /// </summary>
    public int MaxInfoHashes { get; set; } = 2_000;

    /// <summary>
    /// Peer entries one source may hold across all info-hashes: the announce's sender by IP address, or on
    /// loopback by address and port (<see cref="Storage.SourceKey"/>). Announces past it are refused with a
    /// KRPC error. Default 64: on the public network a client is among the announce targets of this node for
    /// very few of its torrents, while an attacker flooding announces from one address is stopped early.
    /// <see cref="int.MaxValue"/> turns it off.
    /// </summary>
    public int MaxPeersPerSourceIp { get; set; } = 64;

    /// <summary>
    /// Peers to put in one get_peers answer to an IPv4 requester. Default 50: BEP 5 sets no number and
    /// libtorrent sends up to 100 (dht_max_peers_reply); 50 compact IPv4 peers are 400 bytes of bencoded
    /// "values", which keeps the whole answer well inside one unfragmented datagram.
    /// </summary>
    public int MaxPeersPerReply { get; set; } = 50;

    /// <summary>
    /// Peers to put in one get_peers answer to an IPv6 requester. Default 25: an IPv6 compact peer is
    /// 21 bytes bencoded, so 25 of them (525 bytes) plus "nodes6" stay inside the 1,280-byte IPv6 minimum
    /// MTU (libtorrent likewise sends a quarter as many IPv6 peers).
    /// </summary>
    public int MaxPeersPerReplyIPv6 { get; set; } = 25;
}
