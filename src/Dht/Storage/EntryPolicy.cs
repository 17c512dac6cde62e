// What the named-value and BEP 44 policies share: indexing a (possibly reopened) store, hiding expired
// entries, and admitting a new entry under the quotas and size limits. Each subclass adds only its own
// versioning rules.
//
// Every put that changes the store returns the store's durability task with its outcome (StoreResult), so
// the caller acknowledges it only once it is on disk; a refusal changes nothing and has nothing to wait for.
//
// Not thread-safe: owned by the node's event loop, and the only writer of its store.
using System.Diagnostics.CodeAnalysis;
using Dht.Protocol;

namespace Dht.Storage;

/// <summary>Limits, expiry and eviction in front of a dumb <see cref="IEntryStore{T}"/>.</summary>
internal abstract class EntryPolicy<T>
    where T : class, IStoredEntry
{
    private readonly IEntryStore<T> _store;
    private readonly StorageIndex _index;

    /// <param name="store">The store; may already hold entries (a reopened database), which are indexed here.</param>
    /// <param name="localId">This node's id: when full, a source's entries farthest from it are evicted first.</param>
    /// <param name="limits">Limits; the defaults when null.</param>
    protected EntryPolicy(IEntryStore<T> store, NodeId localId, StorageLimits? limits)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        Limits = limits ?? new StorageLimits();
        Limits.Validate();
        _index = new StorageIndex(localId, Limits, store.Remove);
        foreach (var entry in store.All())
        {
            // What an earlier run received from other nodes counts as received when it was stored.
            _index.Set(entry.Target, entry.Value.Length, entry.Source, entry.ExpiresAt, entry.Source.IsEmpty ? null : entry.StoredAt);
        }
    }

    /// <summary>Entries held, expired ones included until <see cref="RemoveExpired"/>.</summary>
    public int Count => _index.Count;

    /// <summary>Sum of the held value lengths.</summary>
    public long TotalBytes => _index.Bytes;

    protected StorageLimits Limits { get; }

    /// <summary>The unexpired entry stored under <paramref name="target"/>.</summary>
    public bool TryGet(NodeId target, DateTimeOffset now, [NotNullWhen(true)] out T? entry)
    {
        if (_store.TryGet(target, out entry) && entry.ExpiresAt > now)
        {
            return true;
        }

        entry = null;
        return false;
    }

    /// <summary>Every unexpired entry (to replicate or re-put); do not put while enumerating.</summary>
    public IEnumerable<T> Live(DateTimeOffset now) => _store.All().Where(e => e.ExpiresAt > now);

    /// <summary>
    /// Appends to <paramref name="into"/> held targets (expired ones included until removed) that
    /// <paramref name="node"/> is closer to than this node, what a new contact may be handed, looking at no more
    /// than <paramref name="maxExamined"/> entries whatever else is held; returns how many it looked at.
    /// </summary>
    public int HeldCloserTo(NodeId node, int maxExamined, List<NodeId> into) => _index.CloserTo(node, maxExamined, into);

    /// <summary>
    /// When a store from another node last arrived for the held <paramref name="target"/> (null if none did,
    /// or nothing is held): hourly replication skips keys another holder has just replicated. Kept with the
    /// entry and forgotten with it, so it is bounded by what is stored.
    /// </summary>
    public DateTimeOffset? LastStoreReceived(NodeId target) => _index.LastStoreReceived(target);

    /// <summary>Removes every entry expired at <paramref name="now"/>; returns how many.</summary>
    public int RemoveExpired(DateTimeOffset now) => _index.RemoveExpired(now);

    /// <summary>The held entry of <paramref name="target"/> if unexpired; an expired one is removed, since it is no version to compare with.</summary>
    protected T? Held(NodeId target, DateTimeOffset now)
    {
        if (!_store.TryGet(target, out var held))
        {
            return null;
        }

        if (held.ExpiresAt <= now)
        {
            _index.Remove(target);
            return null;
        }

        return held;
    }

    /// <summary>
    /// Writes a new version of an entry already held (a refresh): no quota applies. <paramref name="from"/>
    /// is the put's sender (empty for a local write), which may differ from the entry's kept source.
    /// </summary>
    protected StoreResult Replace(T entry, NetEndPoint from, DateTimeOffset now)
    {
        var durable = _store.Put(entry);
        _index.Set(entry.Target, entry.Value.Length, entry.Source, entry.ExpiresAt, from.IsEmpty ? null : now);
        return new StoreResult(StoreOutcome.Refreshed, durable);
    }

    /// <summary>
    /// Stores a new entry if the store's limits allow it. While there is room every source may store; a source's
    /// quota is its share of a full store: past it, a source can take room only from its own entries.
    /// </summary>
    protected StoreResult Admit(T entry, DateTimeOffset now)
    {
        if (!_index.HasRoomFor(entry.Target, entry.Value.Length, now) && _index.IsOverQuota(entry.Target, entry.Value.Length, entry.Source))
        {
            return StoreResult.Unchanged(StoreOutcome.RejectedQuota);
        }

        if (!_index.TryMakeRoom(entry.Target, entry.Value.Length, entry.Source, now))
        {
            return StoreResult.Unchanged(StoreOutcome.RejectedStoreFull);
        }

        var durable = _store.Put(entry);
        _index.Set(entry.Target, entry.Value.Length, entry.Source, entry.ExpiresAt, entry.Source.IsEmpty ? null : now);
        return new StoreResult(StoreOutcome.Stored, durable);
    }
}
