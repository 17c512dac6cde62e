using System.Diagnostics.CodeAnalysis;
using Dht.Protocol;

namespace Dht.Storage;

/// <summary>
/// Where entries live (in memory, SQLite). A store holds what it is given, one entry per target, and
/// checks nothing: versioning, hashes, signatures, sizes and quotas are the policy's job above it. Expired
/// entries stay until <see cref="RemoveExpired"/> removes them. Not thread-safe: one owner at a time.
/// </summary>
public interface IEntryStore<T>
    where T : class, IStoredEntry
{
    /// <summary>Number of entries held, expired ones included until removed.</summary>
    int Count { get; }

    /// <summary>Sum of the lengths of the held <see cref="IStoredEntry.Value"/>s.</summary>
    long TotalBytes { get; }

    /// <summary>The entry held for <paramref name="target"/>, expired or not.</summary>
    bool TryGet(NodeId target, [NotNullWhen(true)] out T? entry);

    /// <summary>Holds <paramref name="entry"/> under its target, replacing whatever was there.</summary>
    void Put(T entry);

    /// <summary>Removes the entry of <paramref name="target"/>; false if there was none.</summary>
    bool Remove(NodeId target);

    /// <summary>Every held entry, in no particular order. Do not modify the store while enumerating.</summary>
    IEnumerable<T> All();

    /// <summary>Removes every entry whose <see cref="IStoredEntry.ExpiresAt"/> is at or before <paramref name="now"/>; returns how many.</summary>
    int RemoveExpired(DateTimeOffset now);
}
