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
using System.Diagnostics.CodeAnalysis;
using Dht.Protocol;

namespace Dht.Storage;

/// <summary>Accepts, refuses, expires and evicts named values held in an <see cref="INamedValueStore"/>.</summary>
internal sealed class NamedValuePolicy
{
    private readonly INamedValueStore _store;
    private readonly StorageLimits _limits;
    private readonly StorageIndex _index;

    /// <param name="store">The store; may already hold values (a reopened database), which are indexed here.</param>
    /// <param name="localId">This node's id: when full, values farthest from it are evicted first.</param>
    /// <param name="limits">Limits; the defaults when null.</param>
    public NamedValuePolicy(INamedValueStore store, NodeId localId, StorageLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _limits = limits ?? new StorageLimits();
        _limits.Validate();
        _index = new StorageIndex(localId, _limits, store.Remove);
        foreach (var value in store.All())
        {
            _index.Set(value.Target, value.Value.Length, value.Source, value.ExpiresAt);
        }
    }

    /// <summary>Values held, expired ones included until <see cref="RemoveExpired"/>.</summary>
    public int Count => _index.Count;

    /// <summary>Sum of the held value lengths.</summary>
    public long TotalBytes => _index.Bytes;

    /// <summary>The unexpired value (or tombstone) of <paramref name="target"/>.</summary>
    public bool TryGet(NodeId target, DateTimeOffset now, [NotNullWhen(true)] out NamedValue? value)
    {
        if (_store.TryGet(target, out value) && value.ExpiresAt > now)
        {
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>Every unexpired value and tombstone (to replicate); do not put while enumerating.</summary>
    public IEnumerable<NamedValue> Live(DateTimeOffset now) => _store.All().Where(v => v.ExpiresAt > now);

    /// <summary>
    /// A store of <paramref name="value"/> at version <paramref name="seq"/>, living <paramref name="ttl"/>
    /// (the default when null or not positive, at most <see cref="StorageLimits.MaxTtl"/>).
    /// </summary>
    public StoreOutcome Put(NodeId target, ReadOnlySpan<byte> value, long seq, TimeSpan? ttl, NetEndPoint source, DateTimeOffset now) =>
        Put(target, value, isTombstone: false, seq, ttl, source, now);

    /// <summary>A delete of <paramref name="target"/> at version <paramref name="seq"/>: a tombstone living <paramref name="ttl"/>.</summary>
    public StoreOutcome PutTombstone(NodeId target, long seq, TimeSpan? ttl, NetEndPoint source, DateTimeOffset now) =>
        Put(target, [], isTombstone: true, seq, ttl, source, now);

    /// <summary>Removes every value expired at <paramref name="now"/>; returns how many.</summary>
    public int RemoveExpired(DateTimeOffset now) => _index.RemoveExpired(now);

    private StoreOutcome Put(NodeId target, ReadOnlySpan<byte> value, bool isTombstone, long seq, TimeSpan? ttl, NetEndPoint source, DateTimeOffset now)
    {
        if (value.Length > _limits.MaxValueSize)
        {
            return StoreOutcome.RejectedTooLarge;
        }

        var expiresAt = now + Lifetime(ttl);
        if (_store.TryGet(target, out var held) && held.ExpiresAt <= now)
        {
            _index.Remove(target); // an expired value is no version to compare with
            held = null;
        }

        if (held is not null)
        {
            if (seq < held.Seq)
            {
                return StoreOutcome.RejectedSeqTooOld;
            }

            if (seq == held.Seq)
            {
                int order = CompareAtEqualSeq(isTombstone, value, held);
                if (order == 0)
                {
                    var refreshed = held with { StoredAt = now, ExpiresAt = Max(held.ExpiresAt, expiresAt) };
                    _store.Put(refreshed);
                    _index.Set(target, refreshed.Value.Length, refreshed.Source, refreshed.ExpiresAt);
                    return StoreOutcome.Refreshed;
                }

                if (order < 0)
                {
                    return StoreOutcome.KeptExisting;
                }
            }
        }

        if (_index.IsOverQuota(target, source))
        {
            return StoreOutcome.RejectedQuota;
        }

        if (!_index.TryMakeRoom(target, value.Length, now))
        {
            return StoreOutcome.RejectedStoreFull;
        }

        var stored = new NamedValue(target, value.ToArray(), seq, now, expiresAt, isTombstone, source);
        _store.Put(stored);
        _index.Set(target, value.Length, source, expiresAt);
        return StoreOutcome.Stored;
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
            return _limits.DefaultTtl;
        }

        return requested > _limits.MaxTtl ? _limits.MaxTtl : requested;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;
}
