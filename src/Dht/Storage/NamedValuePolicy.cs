// The rules of named values (DESIGN.md section 3) in front of a dumb INamedValueStore.
//
// Versioning: a higher seq replaces; equal seq and equal bytes refreshes; equal seq and different bytes
// keeps the byte-wise larger, so replicas that saw the puts in different orders converge; a lower seq is
// refused (KRPC 302), and the caller's find_value answer then carries the newer value. A tombstone is a
// value like any other, except that at equal seq it wins over a live value (a delete racing a write at
// the same version deletes), and expires like any value.
//
// Limits (StorageLimits) are checked after versioning, so a put that would be refused anyway costs no
// eviction. Values are copied on the way in: callers may pass slices of a reused receive buffer.
//
// Not thread-safe: owned by the node's event loop, and the only writer of its store.
using Dht.Protocol;

namespace Dht.Storage;

/// <summary>Accepts, refuses, expires and evicts named values held in an <see cref="INamedValueStore"/>.</summary>
internal sealed class NamedValuePolicy(INamedValueStore store, NodeId localId, StorageLimits? limits = null)
    : EntryPolicy<NamedValue>(store, localId, limits)
{
    /// <summary>
    /// A store of <paramref name="value"/> at version <paramref name="seq"/>, living <paramref name="ttl"/>
    /// (the default when null or not positive, at most <see cref="StorageLimits.MaxTtl"/>).
    /// </summary>
    public StoreResult Put(NodeId target, ReadOnlySpan<byte> value, long seq, TimeSpan? ttl, NetEndPoint source, DateTimeOffset now) =>
        Put(target, value, isTombstone: false, seq, ttl, source, now);

    /// <summary>A delete of <paramref name="target"/> at version <paramref name="seq"/>: a tombstone living <paramref name="ttl"/>.</summary>
    public StoreResult PutTombstone(NodeId target, long seq, TimeSpan? ttl, NetEndPoint source, DateTimeOffset now) =>
        Put(target, [], isTombstone: true, seq, ttl, source, now);

    /// <summary>The highest seq accepted at <paramref name="now"/>: the clock in microseconds since the Unix epoch plus the allowed skew.</summary>
    public long MaxSeqAt(DateTimeOffset now) =>
        ((now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond) + (Limits.MaxSeqClockSkew.Ticks / TimeSpan.TicksPerMicrosecond);

    private StoreResult Put(NodeId target, ReadOnlySpan<byte> value, bool isTombstone, long seq, TimeSpan? ttl, NetEndPoint source, DateTimeOffset now)
    {
        if (value.Length > Limits.MaxValueSize)
        {
            return StoreResult.Unchanged(StoreOutcome.RejectedTooLarge);
        }

        if (seq > MaxSeqAt(now))
        {
            return StoreResult.Unchanged(StoreOutcome.RejectedSeqTooNew);
        }

        var expiresAt = now + Lifetime(ttl);
        var held = Held(target, now);
        if (held is not null)
        {
            if (seq < held.Seq)
            {
                return StoreResult.Unchanged(StoreOutcome.RejectedSeqTooOld);
            }

            if (seq == held.Seq)
            {
                int order = CompareAtEqualSeq(isTombstone, value, held);
                if (order == 0)
                {
                    return Replace(held with { StoredAt = now, ExpiresAt = Max(held.ExpiresAt, expiresAt) }, source, now);
                }

                if (order < 0)
                {
                    return StoreResult.Unchanged(StoreOutcome.KeptExisting);
                }
            }
        }

        return Admit(new NamedValue(target, value.ToArray(), seq, now, expiresAt, isTombstone, source), now);
    }

    // Positive when the incoming value wins, zero when it is the held one, negative when the held one wins.
    private static int CompareAtEqualSeq(bool isTombstone, ReadOnlySpan<byte> value, NamedValue held)
    {
        if (isTombstone != held.IsTombstone)
        {
            return isTombstone ? 1 : -1;
        }

        return value.SequenceCompareTo(held.Value.Span);
    }

    private TimeSpan Lifetime(TimeSpan? ttl)
    {
        if (ttl is not { } requested || requested <= TimeSpan.Zero)
        {
            return Limits.DefaultTtl;
        }

        return requested > Limits.MaxTtl ? Limits.MaxTtl : requested;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;
}
