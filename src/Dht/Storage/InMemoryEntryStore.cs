using System.Diagnostics.CodeAnalysis;
using Dht.Protocol;

namespace Dht.Storage;

/// <summary>An <see cref="IEntryStore{T}"/> in a dictionary; its contents end with the process, so every put is "durable" at once.</summary>
public abstract class InMemoryEntryStore<T> : IEntryStore<T>
    where T : class, IStoredEntry
{
    private readonly EntryMap<T> _entries = new();

    /// <inheritdoc/>
    public int Count => _entries.Count;

    /// <inheritdoc/>
    public long TotalBytes => _entries.TotalBytes;

    /// <inheritdoc/>
    public bool TryGet(NodeId target, [NotNullWhen(true)] out T? entry) => _entries.TryGet(target, out entry);

    /// <inheritdoc/>
    public Task Put(T entry)
    {
        _entries.Set(entry);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public bool Remove(NodeId target) => _entries.Remove(target);

    /// <inheritdoc/>
    public IEnumerable<T> All() => _entries.Values;

    /// <inheritdoc/>
    public int RemoveExpired(DateTimeOffset now) => _entries.RemoveExpired(now);
}
