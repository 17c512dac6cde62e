using System.Diagnostics.CodeAnalysis;
using Dht.Protocol;

namespace Dht.Storage;

/// <summary>
/// Where named values live (in memory, SQLite). A store holds what it is given, one value per target,
/// and checks nothing: versioning, sizes, quotas and signatures are the policy's job above it. Expired
/// values stay until <see cref="RemoveExpired"/> removes them. Not thread-safe: one owner at a time.
/// </summary>
public interface INamedValueStore
{
    /// <summary>Number of values held, expired ones included until removed.</summary>
    int Count { get; }

    /// <summary>Sum of the lengths of the held <see cref="NamedValue.Value"/>s.</summary>
    long TotalBytes { get; }

    /// <summary>The value held for <paramref name="target"/>, expired or not.</summary>
    bool TryGet(NodeId target, [NotNullWhen(true)] out NamedValue? value);

    /// <summary>Holds <paramref name="value"/> under its target, replacing whatever was there.</summary>
    void Put(NamedValue value);

    /// <summary>Removes the value of <paramref name="target"/>; false if there was none.</summary>
    bool Remove(NodeId target);

    /// <summary>Every held value, in no particular order. Do not modify the store while enumerating.</summary>
    IEnumerable<NamedValue> All();

    /// <summary>Removes every value whose <see cref="NamedValue.ExpiresAt"/> is at or before <paramref name="now"/>; returns how many.</summary>
    int RemoveExpired(DateTimeOffset now);
}
