// The in-memory half of every entry store: one entry per target, with the count and byte total kept as
// entries come and go. InMemoryEntryStore is just this; the SQLite stores serve every read from it and
// write each change behind it.
using System.Diagnostics.CodeAnalysis;
using Dht.Protocol;

namespace Dht.Storage;

/// <summary>Entries by target, with <see cref="Count"/> and <see cref="TotalBytes"/>. Not thread-safe.</summary>
internal sealed class EntryMap<T>
    where T : class, IStoredEntry
{
    private readonly Dictionary<NodeId, T> _entries = [];

    public int Count => _entries.Count;

    public long TotalBytes { get; private set; }

    /// <summary>The held entries; a live view, so do not change the map while enumerating it.</summary>
    public IEnumerable<T> Values => _entries.Values;

    public bool TryGet(NodeId target, [NotNullWhen(true)] out T? entry) => _entries.TryGetValue(target, out entry);

    /// <summary>Holds <paramref name="entry"/> under its target, replacing whatever was there.</summary>
    public void Set(T entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (_entries.TryGetValue(entry.Target, out var old))
        {
            TotalBytes -= old.Value.Length;
        }

        _entries[entry.Target] = entry;
        TotalBytes += entry.Value.Length;
    }

    public bool Remove(NodeId target)
    {
        if (!_entries.Remove(target, out var old))
        {
            return false;
        }

        TotalBytes -= old.Value.Length;
        return true;
    }

    /// <summary>
    /// Removes every entry expired at <paramref name="now"/> (its expiry at or before it); returns how many, and
    /// adds their targets to <paramref name="removed"/> when given.
    /// </summary>
    public int RemoveExpired(DateTimeOffset now, List<NodeId>? removed = null)
    {
        int count = 0;

        // Removing the current key while enumerating a Dictionary is allowed and keeps the enumeration valid.
        foreach (var entry in _entries.Values)
        {
            if (entry.ExpiresAt <= now)
            {
                _entries.Remove(entry.Target);
                TotalBytes -= entry.Value.Length;
                removed?.Add(entry.Target);
                count++;
            }
        }

        return count;
    }
}
