using System.Diagnostics.CodeAnalysis;
using Dht.Protocol;

namespace Dht.Storage;

/// <summary>An <see cref="IEntryStore{T}"/> in a dictionary; its contents end with the process.</summary>
public abstract class InMemoryEntryStore<T> : IEntryStore<T>
    where T : class, IStoredEntry
{
    private readonly Dictionary<NodeId, T> _entries = [];
    private long _totalBytes;

    public int Count => _entries.Count;

    public long TotalBytes => _totalBytes;

    public bool TryGet(NodeId target, [NotNullWhen(true)] out T? entry) => _entries.TryGetValue(target, out entry);

    public void Put(T entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (_entries.TryGetValue(entry.Target, out var old))
        {
            _totalBytes -= old.Value.Length;
        }

        _entries[entry.Target] = entry;
        _totalBytes += entry.Value.Length;
    }

    public bool Remove(NodeId target)
    {
        if (!_entries.Remove(target, out var old))
        {
            return false;
        }

        _totalBytes -= old.Value.Length;
        return true;
    }

    public IEnumerable<T> All() => _entries.Values;

    public int RemoveExpired(DateTimeOffset now)
    {
        int removed = 0;

        // Removing the current key while enumerating a Dictionary is allowed and keeps the enumeration valid.
        foreach (var entry in _entries.Values)
        {
            if (entry.ExpiresAt <= now)
            {
                _entries.Remove(entry.Target);
                _totalBytes -= entry.Value.Length;
                removed++;
            }
        }

        return removed;
    }
}
