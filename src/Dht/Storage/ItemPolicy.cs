// The rules of BEP 44 items in front of a dumb IItemStore.
//
// Immutable: stored under SHA-1 of the verbatim encoded v (computed here, so it cannot disagree with the
// value); a re-put refreshes the lifetime.
// Mutable: the checks run cheapest first but the signature before anything that depends on what is held,
// so only an authentic put learns about the held seq: 205 size, 207 salt, 206 signature, then 301 cas
// (BEP 44: ignored when nothing is held), 302 lower seq. An equal seq with the same value refreshes; an
// equal seq with a different value keeps the held item (BEP 44: a put whose seq is not higher MUST be
// rejected unless it is the same value), so the first validly signed value at a seq is the one served.
// The held signature is kept on a refresh: both verify, and keeping it avoids a write.
//
// Mutable and immutable items share one target space, as in the BEP's get. A put whose target is held by
// an item of the other kind (or, for mutable items, another key: a SHA-1 collision) keeps the held item.
//
// Not thread-safe: owned by the node's event loop, and the only writer of its store.
using Dht.Crypto;
using Dht.Protocol;

namespace Dht.Storage;

/// <summary>Accepts, refuses, expires and evicts BEP 44 items held in an <see cref="IItemStore"/>.</summary>
internal sealed class ItemPolicy(IItemStore store, NodeId localId, StorageLimits? limits = null)
    : EntryPolicy<StoredItem>(store, localId, limits)
{
    /// <summary>A put of an immutable item: <paramref name="encodedValue"/> is the verbatim bencoded <c>v</c>.</summary>
    public StoreResult PutImmutable(ReadOnlySpan<byte> encodedValue, NetEndPoint source, DateTimeOffset now)
    {
        if (encodedValue.Length > Limits.MaxValueSize)
        {
            return StoreResult.Unchanged(StoreOutcome.RejectedTooLarge);
        }

        var target = Bep44.ImmutableTarget(encodedValue);
        var held = Held(target, now);
        if (held is not null)
        {
            return held.IsMutable ? StoreResult.Unchanged(StoreOutcome.KeptExisting) : Refresh(held, source, now);
        }

        return Admit(new StoredItem(
            target, encodedValue.ToArray(), ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, 0,
            ReadOnlyMemory<byte>.Empty, now, now + Limits.ItemLifetime, source), now);
    }

    /// <summary>
    /// A put of a mutable item, its target SHA-1(<paramref name="publicKey"/> ‖ <paramref name="salt"/>).
    /// <paramref name="cas"/> is the put's optional <c>cas</c>; <paramref name="encodedValue"/> the verbatim
    /// bencoded <c>v</c>. Lengths of key and signature are checked here: wrong ones are an invalid signature.
    /// </summary>
    public StoreResult PutMutable(
        ReadOnlySpan<byte> publicKey,
        ReadOnlySpan<byte> salt,
        long seq,
        ReadOnlySpan<byte> encodedValue,
        ReadOnlySpan<byte> signature,
        long? cas,
        NetEndPoint source,
        DateTimeOffset now)
    {
        if (encodedValue.Length > Limits.MaxValueSize)
        {
            return StoreResult.Unchanged(StoreOutcome.RejectedTooLarge);
        }

        if (salt.Length > Bep44.MaxSaltSize)
        {
            return StoreResult.Unchanged(StoreOutcome.RejectedSaltTooBig);
        }

        if (!Bep44.Verify(publicKey, salt, seq, encodedValue, signature))
        {
            return StoreResult.Unchanged(StoreOutcome.RejectedInvalidSignature);
        }

        var target = Bep44.MutableTarget(publicKey, salt);
        var held = Held(target, now);
        if (held is not null)
        {
            if (!held.IsMutable || !held.PublicKey.Span.SequenceEqual(publicKey))
            {
                return StoreResult.Unchanged(StoreOutcome.KeptExisting);
            }

            if (cas is { } expected && expected != held.Seq)
            {
                return StoreResult.Unchanged(StoreOutcome.RejectedCasMismatch);
            }

            if (seq < held.Seq)
            {
                return StoreResult.Unchanged(StoreOutcome.RejectedSeqTooOld);
            }

            if (seq == held.Seq)
            {
                return held.Value.Span.SequenceEqual(encodedValue) ? Refresh(held, source, now) : StoreResult.Unchanged(StoreOutcome.KeptExisting);
            }
        }

        return Admit(new StoredItem(
            target, encodedValue.ToArray(), publicKey.ToArray(), salt.ToArray(), seq, signature.ToArray(),
            now, now + Limits.ItemLifetime, source), now);
    }

    private StoreResult Refresh(StoredItem held, NetEndPoint source, DateTimeOffset now)
    {
        var expiresAt = now + Limits.ItemLifetime;
        return Replace(held with { StoredAt = now, ExpiresAt = expiresAt > held.ExpiresAt ? expiresAt : held.ExpiresAt }, source, now);
    }
}
