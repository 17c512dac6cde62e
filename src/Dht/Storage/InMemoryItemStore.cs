using System.Diagnostics.CodeAnalysis;
using Dht.Protocol;

namespace Dht.Storage;

/// <summary>An <see cref="IItemStore"/> in a dictionary; its contents end with the process.</summary>
public sealed class InMemoryItemStore : IItemStore
{
    private readonly Dictionary<NodeId, StoredItem> _items = [];
    private long _totalBytes;

    public int Count => _items.Count;

    public long TotalBytes => _totalBytes;

    public bool TryGet(NodeId target, [NotNullWhen(true)] out StoredItem? item) => _items.TryGetValue(target, out item);

    public void Put(StoredItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (_items.TryGetValue(item.Target, out var old))
        {
            _totalBytes -= old.Value.Length;
        }

        _items[item.Target] = item;
        _totalBytes += item.Value.Length;
    }

    public bool Remove(NodeId target)
    {
        if (!_items.Remove(target, out var old))
        {
            return false;
        }

        _totalBytes -= old.Value.Length;
        return true;
    }

    public IEnumerable<StoredItem> All() => _items.Values;

    public int RemoveExpired(DateTimeOffset now)
    {
        int removed = 0;

        // Removing the current key while enumerating a Dictionary is allowed and keeps the enumeration valid.
        foreach (var item in _items.Values)
        {
            if (item.ExpiresAt <= now)
            {
                _items.Remove(item.Target);
                _totalBytes -= item.Value.Length;
                removed++;
            }
        }

        return removed;
    }
}
