// The policies' bookkeeping over a dumb store: sizes, expiry times, distances and per-address counts of
// everything held, so that limits are enforced without scanning the store (which may be on disk).
//
// It is built once from the store's contents and kept in step by the owning policy, which must be the
// store's only writer. Eviction follows libtorrent's storage (pick_least_important_item): keep what this
// node is closest to, because those are the keys lookups will ask it for; expired entries go first.
using Dht.Protocol;

namespace Dht.Storage;

/// <summary>Tracks a store's entries for a policy and frees room under <see cref="StorageLimits"/>.</summary>
internal sealed class StorageIndex
{
    private readonly NodeId _localId;
    private readonly StorageLimits _limits;
    private readonly Func<NodeId, bool> _removeFromStore;
    private readonly Dictionary<NodeId, StorageIndexEntry> _entries = [];

    // Distances (target XOR local id) rather than targets: XOR with a fixed id is a bijection, so the
    // farthest entry is the maximum and the target is recovered by XOR-ing again.
    private readonly SortedSet<NodeId> _byDistance = [];
    private readonly SortedSet<(long ExpiresTicks, NodeId Target)> _byExpiry = [];
    private readonly Dictionary<UInt128, int> _entriesPerAddress = [];
    private readonly List<NodeId> _scratch = [];

    public StorageIndex(NodeId localId, StorageLimits limits, Func<NodeId, bool> removeFromStore)
    {
        _localId = localId;
        _limits = limits;
        _removeFromStore = removeFromStore;
    }

    public int Count => _entries.Count;

    public long Bytes { get; private set; }

    /// <summary>Records that <paramref name="target"/> is now held with these attributes (added or replaced).</summary>
    public void Set(NodeId target, int size, NetEndPoint source, DateTimeOffset expiresAt)
    {
        Forget(target);
        var entry = new StorageIndexEntry(size, source, expiresAt.UtcTicks);
        _entries.Add(target, entry);
        _byDistance.Add(target ^ _localId);
        _byExpiry.Add((entry.ExpiresTicks, target));
        Bytes += size;
        if (!source.IsEmpty)
        {
            var key = source.AddressKey;
            _entriesPerAddress[key] = _entriesPerAddress.GetValueOrDefault(key) + 1;
        }
    }

    /// <summary>Removes <paramref name="target"/> from the store and the index.</summary>
    public void Remove(NodeId target)
    {
        _removeFromStore(target);
        Forget(target);
    }

    /// <summary>
    /// True when a put from <paramref name="source"/> for <paramref name="target"/> would give that address
    /// one entry more than its quota allows. Refreshing or replacing what the same address already holds
    /// gives it nothing new, and local writes (an empty source) are never counted.
    /// </summary>
    public bool IsOverQuota(NodeId target, NetEndPoint source)
    {
        if (source.IsEmpty)
        {
            return false;
        }

        if (_entries.TryGetValue(target, out var held) && !held.Source.IsEmpty && held.Source.SameAddress(source))
        {
            return false;
        }

        return _entriesPerAddress.GetValueOrDefault(source.AddressKey) >= _limits.MaxItemsPerSourceIp;
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
    /// Makes room to hold <paramref name="size"/> bytes at <paramref name="target"/> (replacing what is
    /// there, if anything): removes expired entries, then entries strictly farther from this node than
    /// <paramref name="target"/>, farthest first. Evicts nothing and returns false when that cannot free
    /// enough, so a refused put never costs a held entry.
    /// </summary>
    public bool TryMakeRoom(NodeId target, int size, DateTimeOffset now)
    {
        if (Fits(target, size, out _, out _))
        {
            return true;
        }

        RemoveExpired(now);
        if (Fits(target, size, out int countAfter, out long bytesAfter))
        {
            return true;
        }

        var distance = target ^ _localId;
        _scratch.Clear();
        foreach (var farther in _byDistance.Reverse())
        {
            if (farther <= distance)
            {
                return false;
            }

            var victim = farther ^ _localId;
            _scratch.Add(victim);
            countAfter--;
            bytesAfter -= _entries[victim].Size;
            if (countAfter <= _limits.MaxItems && bytesAfter <= _limits.MaxBytes)
            {
                foreach (var evicted in _scratch)
                {
                    Remove(evicted);
                }

                return true;
            }
        }

        return false;
    }

    private bool Fits(NodeId target, int size, out int countAfter, out long bytesAfter)
    {
        bool held = _entries.TryGetValue(target, out var old);
        countAfter = Count + (held ? 0 : 1);
        bytesAfter = Bytes + size - (held ? old.Size : 0);
        return countAfter <= _limits.MaxItems && bytesAfter <= _limits.MaxBytes;
    }

    private void Forget(NodeId target)
    {
        if (!_entries.Remove(target, out var old))
        {
            return;
        }

        _byDistance.Remove(target ^ _localId);
        _byExpiry.Remove((old.ExpiresTicks, target));
        Bytes -= old.Size;
        if (!old.Source.IsEmpty)
        {
            var key = old.Source.AddressKey;
            int remaining = _entriesPerAddress[key] - 1;
            if (remaining == 0)
            {
                _entriesPerAddress.Remove(key);
            }
            else
            {
                _entriesPerAddress[key] = remaining;
            }
        }
    }
}
