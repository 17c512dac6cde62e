using Dht.Protocol;

namespace Dht.Storage;

/// <summary>What every stored entry has, whatever its kind: where it lives, its bytes, its lifetime and who sent it.</summary>
public interface IStoredEntry
{
    /// <summary>The id the entry is stored under.</summary>
    NodeId Target { get; }

    /// <summary>The stored bytes (counted against byte limits).</summary>
    ReadOnlyMemory<byte> Value { get; }

    /// <summary>When a put of this entry last arrived (a refresh moves it).</summary>
    DateTimeOffset StoredAt { get; }

    /// <summary>When the entry stops being served.</summary>
    DateTimeOffset ExpiresAt { get; }

    /// <summary>
    /// The node that stored it (default for local writes); per-source quotas count it by its address, or on
    /// loopback by its address and port (see <see cref="SourceKey"/>).
    /// </summary>
    NetEndPoint Source { get; }
}
