using System.Diagnostics.CodeAnalysis;
using Dht.Protocol;

namespace Dht.Storage;

/// <summary>An <see cref="INamedValueStore"/> in a dictionary; its contents end with the process.</summary>
public sealed class InMemoryNamedValueStore : INamedValueStore
{
    private readonly Dictionary<NodeId, NamedValue> _values = [];
    private long _totalBytes;

    public int Count => _values.Count;

    public long TotalBytes => _totalBytes;

    public bool TryGet(NodeId target, [NotNullWhen(true)] out NamedValue? value) => _values.TryGetValue(target, out value);

    public void Put(NamedValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (_values.TryGetValue(value.Target, out var old))
        {
            _totalBytes -= old.Value.Length;
        }

        _values[value.Target] = value;
        _totalBytes += value.Value.Length;
    }

    public bool Remove(NodeId target)
    {
        if (!_values.Remove(target, out var old))
        {
            return false;
        }

        _totalBytes -= old.Value.Length;
        return true;
    }

    public IEnumerable<NamedValue> All() => _values.Values;

    public int RemoveExpired(DateTimeOffset now)
    {
        int removed = 0;

        // Removing the current key while enumerating a Dictionary is allowed and keeps the enumeration valid.
        foreach (var value in _values.Values)
        {
            if (value.ExpiresAt <= now)
            {
                _values.Remove(value.Target);
                _totalBytes -= value.Value.Length;
                removed++;
            }
        }

        return removed;
    }
}
