// The policies' bookkeeping over a dumb store: sizes, expiry times, sources and distances of everything
// held, so that limits are enforced without scanning the store, and the time the last store from another
// node arrived for each entry (hourly replication skips those), forgotten with the entry.
//
// It is built once from the store's contents and kept in step by the owning policy, which must be the
// store's only writer.
//
// Quotas are shares of a full store: while there is room every source may store (a single client loading a
// small network is a legitimate heavy writer), and only when an entry would need room taken from others does
// the per-source quota apply.
//
// Eviction, when full: expired entries first, then one entry at a time from the source most over its share
// (the larger of its fractions of the item and byte limits), taking that source's entry farthest from this
// node's id (libtorrent's pick_least_important_item keeps what the node is closest to, because those are the
// keys lookups will ask it for). Departure from libtorrent, which evicts by distance alone: distance is
// chosen by the sender, so a source storing targets near our id could push out everyone else's data. Here a
// sender that would itself be the most over its share once it holds the new entry may only displace its own
// farther entries; otherwise the put is refused, and a refused put never costs a held entry.
//
// Every held target is also kept in order of distance from this node's id, so that the targets a new contact
// is closer to than we are (hand-over, Kademlia section 2.5) are found as ranges of that order, without
// looking at the rest.
//
// Not thread-safe: owned by the node's event loop.
using Dht.Protocol;

namespace Dht.Storage;

/// <summary>Tracks a store's entries for a policy and frees room under <see cref="StorageLimits"/>.</summary>
internal sealed class StorageIndex
{
    private readonly NodeId _localId;
    private readonly StorageLimits _limits;
    private readonly Func<NodeId, bool> _removeFromStore;
    private readonly Dictionary<NodeId, StorageIndexEntry> _entries = [];
    private readonly SortedSet<(long ExpiresTicks, NodeId Target)> _byExpiry = [];
    private readonly SortedSet<NodeId> _byDistance = [];
    private readonly Dictionary<NetEndPoint, SourceShare> _sources = [];
    private readonly SortedSet<SourceShare> _byLoad = new(SourceShare.ByLoad);
    private readonly List<NodeId> _scratch = [];
    private readonly List<(NodeId Target, StorageIndexEntry Entry)> _evicting = [];
    private long _sourcesCreated;

    public StorageIndex(NodeId localId, StorageLimits limits, Func<NodeId, bool> removeFromStore)
    {
        _localId = localId;
        _limits = limits;
        _removeFromStore = removeFromStore;
    }

    public int Count => _entries.Count;

    public long Bytes { get; private set; }

    /// <summary>
    /// Records that <paramref name="target"/> is now held with these attributes (added or replaced).
    /// <paramref name="received"/> is when a store from another node brought it (null for a local write);
    /// a replaced entry's later time is kept.
    /// </summary>
    public void Set(NodeId target, int size, NetEndPoint source, DateTimeOffset expiresAt, DateTimeOffset? received)
    {
        long receivedTicks = received?.UtcTicks ?? 0;
        if (_entries.TryGetValue(target, out var old))
        {
            receivedTicks = Math.Max(receivedTicks, old.ReceivedTicks);
            Forget(target);
        }

        Add(target, new StorageIndexEntry(size, SourceKey.Of(source), expiresAt.UtcTicks, receivedTicks));
    }

    /// <summary>Removes <paramref name="target"/> from the store and the index.</summary>
    public void Remove(NodeId target)
    {
        _removeFromStore(target);
        Forget(target);
    }

    /// <summary>When a store from another node last arrived for the held <paramref name="target"/>; null if none did or nothing is held.</summary>
    public DateTimeOffset? LastStoreReceived(NodeId target) =>
        _entries.TryGetValue(target, out var entry) && entry.ReceivedTicks != 0 ? new DateTimeOffset(entry.ReceivedTicks, TimeSpan.Zero) : null;

    /// <summary>
    /// Appends to <paramref name="into"/> held targets that <paramref name="node"/> is closer to than this node is,
    /// in order of distance from our id, looking at no more than <paramref name="maxExamined"/> entries; returns
    /// how many it looked at. Those targets are the ones whose distance from our id has the bit set where
    /// <paramref name="node"/> first differs from our id (bit p): one range of the distance order for each
    /// value of the bits above p. The targets close to us all share the range where those bits are zero,
    /// which comes first; an entry outside the ranges moves the search to the next range at once.
    /// </summary>
    public int CloserTo(NodeId node, int maxExamined, List<NodeId> into)
    {
        int p = _localId.CommonPrefixLength(node);
        if (p >= NodeId.Bits)
        {
            return 0;
        }

        var above = NodeId.Mask(p);
        var bit = ~above & NodeId.Mask(p + 1);
        var from = bit;
        int examined = 0;
        while (examined < maxExamined)
        {
            bool moved = false;
            foreach (var distance in _byDistance.GetViewBetween(from, NodeId.Max))
            {
                examined++;
                if ((distance & bit) != NodeId.Zero)
                {
                    into.Add(distance ^ _localId);
                }
                else
                {
                    // Farther from the node than from us: skip to the next range, with this entry's higher bits.
                    from = (distance & above) | bit;
                    moved = true;
                    break;
                }

                if (examined >= maxExamined)
                {
                    break;
                }
            }

            if (!moved)
            {
                break;
            }
        }

        return examined;
    }

    /// <summary>
    /// True when a put of <paramref name="size"/> bytes from <paramref name="source"/> for
    /// <paramref name="target"/> would take that source past its item or byte quota. What the same source
    /// already holds at the target is replaced, not added to, and local writes (an empty source) are never counted.
    /// </summary>
    public bool IsOverQuota(NodeId target, int size, NetEndPoint source)
    {
        if (source.IsEmpty)
        {
            return false;
        }

        var key = SourceKey.Of(source);
        (int count, long bytes) = _sources.TryGetValue(key, out var share) ? (share.Count, share.Bytes) : (0, 0L);
        if (_entries.TryGetValue(target, out var held) && held.Source == key)
        {
            count--;
            bytes -= held.Size;
        }

        return count >= _limits.MaxItemsPerSourceIp || bytes + size > _limits.MaxBytesPerSourceIp;
    }

    /// <summary>
    /// True when <paramref name="size"/> bytes at <paramref name="target"/> fit within the store's limits without
    /// evicting a live entry (expired ones are removed to check).
    /// </summary>
    public bool HasRoomFor(NodeId target, int size, DateTimeOffset now)
    {
        if (FitsReplacing(target, size))
        {
            return true;
        }

        RemoveExpired(now);
        return FitsReplacing(target, size);
    }

    /// <summary>Removes (from store and index) every entry expired at <paramref name="now"/>; returns how many.</summary>
    public int RemoveExpired(DateTimeOffset now)
    {
        long nowTicks = now.UtcTicks;
        _scratch.Clear();
        foreach (var (expiresTicks, target) in _byExpiry)
        {
            if (expiresTicks > nowTicks)
            {
                break;
            }

            _scratch.Add(target);
        }

        foreach (var target in _scratch)
        {
            Remove(target);
        }

        return _scratch.Count;
    }

    /// <summary>
    /// Makes room for <paramref name="source"/> to hold <paramref name="size"/> bytes at
    /// <paramref name="target"/> (replacing what is there, if anything): removes expired entries, then
    /// entries of the source most over its share (see the file header). Evicts nothing and returns false when
    /// that cannot free enough.
    /// </summary>
    public bool TryMakeRoom(NodeId target, int size, NetEndPoint source, DateTimeOffset now)
    {
        if (FitsReplacing(target, size))
        {
            return true;
        }

        RemoveExpired(now);
        if (FitsReplacing(target, size))
        {
            return true;
        }

        // Victims are taken out of the index first and out of the store only once enough room is found, so a
        // refusal can put them back untouched. The entry being replaced is set aside the same way.
        _evicting.Clear();
        bool replacing = _entries.TryGetValue(target, out var replaced);
        if (replacing)
        {
            Forget(target);
        }

        var key = SourceKey.Of(source);
        var distance = target ^ _localId;
        bool fits = true;
        while (Count + 1 > _limits.MaxItems || Bytes + size > _limits.MaxBytes)
        {
            if (PickVictim(key, distance, size) is not { } victim)
            {
                fits = false;
                break;
            }

            _evicting.Add((victim, _entries[victim]));
            Forget(victim);
        }

        foreach (var (evicted, entry) in _evicting)
        {
            if (fits)
            {
                _removeFromStore(evicted);
            }
            else
            {
                Add(evicted, entry);
            }
        }

        if (replacing)
        {
            Add(target, replaced); // the caller's Set replaces it, keeping its time of last store received
        }

        return fits;
    }

    // The next entry to evict for a put of `size` bytes at `distance` by the source `key`, or none.
    private NodeId? PickVictim(NetEndPoint key, NodeId distance, int size)
    {
        _sources.TryGetValue(key, out var own);
        double ownLoad = Load((own?.Count ?? 0) + 1, (own?.Bytes ?? 0) + size);
        foreach (var share in _byLoad.Reverse())
        {
            if (share.Load <= ownLoad)
            {
                break;
            }

            if (share != own)
            {
                return share.Distances.Max ^ _localId;
            }
        }

        // The sender would be (one of) the most over its share: it may only trade its own farther entries.
        if (own is not null && own.Distances.Max > distance)
        {
            return own.Distances.Max ^ _localId;
        }

        return null;
    }

    private bool FitsReplacing(NodeId target, int size)
    {
        bool held = _entries.TryGetValue(target, out var old);
        int countAfter = Count + (held ? 0 : 1);
        long bytesAfter = Bytes + size - (held ? old.Size : 0);
        return countAfter <= _limits.MaxItems && bytesAfter <= _limits.MaxBytes;
    }

    private double Load(int count, long bytes) =>
        Math.Max((double)count / _limits.MaxItems, (double)bytes / _limits.MaxBytes);

    private void Add(NodeId target, StorageIndexEntry entry)
    {
        _entries.Add(target, entry);
        _byExpiry.Add((entry.ExpiresTicks, target));
        _byDistance.Add(target ^ _localId);
        Bytes += entry.Size;
        if (!_sources.TryGetValue(entry.Source, out var share))
        {
            share = new SourceShare(entry.Source, _sourcesCreated++);
            _sources.Add(entry.Source, share);
        }

        share.Distances.Add(target ^ _localId);
        Reweigh(share, 1, entry.Size);
    }

    private void Forget(NodeId target)
    {
        if (!_entries.Remove(target, out var old))
        {
            return;
        }

        _byExpiry.Remove((old.ExpiresTicks, target));
        _byDistance.Remove(target ^ _localId);
        Bytes -= old.Size;
        var share = _sources[old.Source];
        share.Distances.Remove(target ^ _localId);
        Reweigh(share, -1, -old.Size);
    }

    // A share's load is its sort key, so it leaves the sorted set while it changes.
    private void Reweigh(SourceShare share, int count, long bytes)
    {
        _byLoad.Remove(share);
        share.Count += count;
        share.Bytes += bytes;
        if (share.Count == 0)
        {
            _sources.Remove(share.Key);
            return;
        }

        share.Load = Load(share.Count, share.Bytes);
        _byLoad.Add(share);
    }
}
