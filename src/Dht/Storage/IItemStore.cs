using System.Diagnostics.CodeAnalysis;
using Dht.Protocol;

namespace Dht.Storage;

/// <summary>
/// Where BEP 44 items live (in memory, SQLite). A store holds what it is given, one item per target,
/// and checks nothing: hashes, signatures, sequence numbers and quotas are the policy's job above it.
/// Expired items stay until <see cref="RemoveExpired"/> removes them. Not thread-safe: one owner at a time.
/// </summary>
public interface IItemStore
{
    /// <summary>Number of items held, expired ones included until removed.</summary>
    int Count { get; }

    /// <summary>Sum of the lengths of the held <see cref="StoredItem.Value"/>s.</summary>
    long TotalBytes { get; }

    /// <summary>The item held for <paramref name="target"/>, expired or not.</summary>
    bool TryGet(NodeId target, [NotNullWhen(true)] out StoredItem? item);

    /// <summary>Holds <paramref name="item"/> under its target, replacing whatever was there.</summary>
    void Put(StoredItem item);

    /// <summary>Removes the item of <paramref name="target"/>; false if there was none.</summary>
    bool Remove(NodeId target);

    /// <summary>Every held item, in no particular order. Do not modify the store while enumerating.</summary>
    IEnumerable<StoredItem> All();

    /// <summary>Removes every item whose <see cref="StoredItem.ExpiresAt"/> is at or before <paramref name="now"/>; returns how many.</summary>
    int RemoveExpired(DateTimeOffset now);
}
