using System.Diagnostics.CodeAnalysis;
using Dht.Protocol;

namespace Dht.Storage;

/// <summary>
/// Where entries live (in memory, SQLite). A store holds what it is given, one entry per target, and
/// checks nothing: versioning, hashes, signatures, sizes and quotas are the policy's job above it. Expired
/// entries stay until <see cref="RemoveExpired"/> removes them. Not thread-safe: one owner at a time.
/// </summary>
/// <remarks>
/// Every read is served from memory, and every change is visible to reads as soon as the call returns.
/// Durability comes later: a store that keeps entries on disk writes changes behind its owner, in the order
/// they were made, so the task of a <see cref="Put"/> completing means that put and every change made before
/// it (removals included) are on disk. Nothing here waits for a disk.
/// </remarks>
public interface IEntryStore<T>
    where T : class, IStoredEntry
{
    /// <summary>Number of entries held, expired ones included until removed.</summary>
    int Count { get; }

    /// <summary>Sum of the lengths of the held <see cref="IStoredEntry.Value"/>s.</summary>
    long TotalBytes { get; }

    /// <summary>The entry held for <paramref name="target"/>, expired or not.</summary>
    bool TryGet(NodeId target, [NotNullWhen(true)] out T? entry);

    /// <summary>
    /// Holds <paramref name="entry"/> under its target, replacing whatever was there. Returns a task that
    /// completes when the entry is durable (already completed for a store in memory), and faults with
    /// <see cref="StorageUnavailableException"/> when it could not be written; the entry stays held in
    /// memory either way.
    /// </summary>
    Task Put(T entry);

    /// <summary>Removes the entry of <paramref name="target"/>; false if there was none. Durable in order with puts.</summary>
    bool Remove(NodeId target);

    /// <summary>Every held entry, in no particular order. Do not modify the store while enumerating.</summary>
    IEnumerable<T> All();

    /// <summary>Removes every entry whose <see cref="IStoredEntry.ExpiresAt"/> is at or before <paramref name="now"/>; returns how many.</summary>
    int RemoveExpired(DateTimeOffset now);
}
