using Dht.Protocol;

namespace Dht.Storage;

/// <summary>
/// A named value (the key-value extension of DESIGN.md section 3) as held by a storing node.
/// Record equality compares <see cref="Value"/> by reference, not content: compare bytes with
/// <c>Value.Span.SequenceEqual</c>.
/// </summary>
/// <param name="Target">The key id: SHA-1 of the UTF-8 key name.</param>
/// <param name="Value">The opaque value bytes; empty for a tombstone. The store keeps this memory: pass memory nobody reuses.</param>
/// <param name="Seq">Version: a higher one replaces a lower one.</param>
/// <param name="StoredAt">When a put of this value last arrived (a refresh moves it), so replication can skip fresh keys.</param>
/// <param name="ExpiresAt">When the value stops being served; it is gone at this instant.</param>
/// <param name="IsTombstone">True when this marks a delete; it wins over older values and expires like any value.</param>
/// <param name="Source">Who sent the put (its address counts against the per-IP quota); empty for local writes.</param>
public sealed record NamedValue(
    NodeId Target,
    ReadOnlyMemory<byte> Value,
    long Seq,
    DateTimeOffset StoredAt,
    DateTimeOffset ExpiresAt,
    bool IsTombstone,
    NetEndPoint Source) : IStoredEntry;
