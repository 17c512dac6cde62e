namespace Dht.Peers;

/// <summary>What <see cref="IPeerStore.Announce"/> did with an announced peer.</summary>
internal enum PeerAnnounceResult
{
    /// <summary>The peer is new for this info-hash and was stored.</summary>
    Added,

    /// <summary>The peer was already stored; its lifetime starts again and its seed flag is updated.</summary>
    Refreshed,

    /// <summary>
    /// Not stored: the announce's source already holds <see cref="PeerStoreOptions.MaxPeersPerSourceIp"/>
    /// entries. The caller answers with the error of <see cref="PeerAnnounceResultExtensions.ToKrpcErrorCode"/>,
    /// so the announcer knows it was not stored.
    /// </summary>
    RejectedSourceLimit,
}
