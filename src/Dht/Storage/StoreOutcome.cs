namespace Dht.Storage;

/// <summary>What a storage policy did with a put. <see cref="StoreOutcomeExtensions.ToKrpcErrorCode"/> maps it to an answer.</summary>
internal enum StoreOutcome
{
    /// <summary>Stored: the target was new, or this put replaced an older (or, at equal seq, smaller) value.</summary>
    Stored,

    /// <summary>The same value was already held: its lifetime was extended and <c>StoredAt</c> moved to now.</summary>
    Refreshed,

    /// <summary>
    /// The held value stays: the put had the same seq and a different value that loses the tie (named values:
    /// the byte-wise smaller, or a value against a tombstone; BEP 44 mutable: any different value, since the
    /// BEP requires rejecting a put whose seq is not higher unless it is a refresh), or the target is held by
    /// an item of the other kind.
    /// </summary>
    KeptExisting,

    /// <summary>The value is larger than <see cref="StorageLimits.MaxValueSize"/> (KRPC 205).</summary>
    RejectedTooLarge,

    /// <summary>The salt is longer than BEP 44's 64 bytes (KRPC 207).</summary>
    RejectedSaltTooBig,

    /// <summary>The signature does not verify, or the key or signature has the wrong length (KRPC 206).</summary>
    RejectedInvalidSignature,

    /// <summary>The put's seq is lower than the held one (KRPC 302).</summary>
    RejectedSeqTooOld,

    /// <summary>
    /// A named value's seq is beyond this node's clock plus <see cref="StorageLimits.MaxSeqClockSkew"/>
    /// (KRPC 302): a version honest writers could not beat for a long time.
    /// </summary>
    RejectedSeqTooNew,

    /// <summary>A BEP 44 put carried <c>cas</c> and it differs from the held seq (KRPC 301).</summary>
    RejectedCasMismatch,

    /// <summary>
    /// The sender already holds <see cref="StorageLimits.MaxItemsPerSourceIp"/> entries, or this one would
    /// take it past <see cref="StorageLimits.MaxBytesPerSourceIp"/>.
    /// </summary>
    RejectedQuota,

    /// <summary>
    /// The store is full, and the sender would be the source most over its share while none of its own
    /// entries is farther from this node than the new one.
    /// </summary>
    RejectedStoreFull,
}
