namespace Dht.Peers;

/// <summary>What <see cref="IPeerStore.Announce"/> did with an announced peer.</summary>
internal enum PeerAnnounceResult
{
    /// <summary>The peer is new for this info-hash and was stored.</summary>
    Added,

    /// <summary>The peer was already stored; its lifetime starts again and its seed flag is updated.</summary>
    Refreshed,

    /// <summary>
    /// Not stored: the peer's IP address already holds <see cref="PeerStoreOptions.MaxPeersPerSourceIp"/>
    /// entries. The announce is still a valid protocol exchange; the caller answers it normally.
    /// </summary>
    RejectedSourceLimit,
}
