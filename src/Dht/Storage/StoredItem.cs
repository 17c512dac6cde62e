using Dht.Protocol;

namespace Dht.Storage;

/// <summary>
/// A BEP 44 item as held by a storing node: immutable (no public key) or mutable (signed).
/// Record equality compares the byte fields by reference, not content.
/// </summary>
/// <param name="Target">SHA-1 of <see cref="Value"/> (immutable) or of public key and salt (mutable).</param>
/// <param name="Value">The verbatim bencoded <c>v</c>, as it arrived (re-encoding could change it and break the signature or hash).</param>
/// <param name="PublicKey">The 32-byte ed25519 key <c>k</c>; empty for an immutable item.</param>
/// <param name="Salt">The salt of a mutable item; empty when none (BEP 44: an empty salt is no salt).</param>
/// <param name="Seq">The mutable item's sequence number; 0 for an immutable item.</param>
/// <param name="Signature">The 64-byte <c>sig</c>; empty for an immutable item.</param>
/// <param name="StoredAt">When a put of this item last arrived (a refresh moves it).</param>
/// <param name="ExpiresAt">When the item stops being served; it is gone at this instant.</param>
/// <param name="Source">Who sent the put (its address counts against the per-IP quota); empty for local writes.</param>
public sealed record StoredItem(
    NodeId Target,
    ReadOnlyMemory<byte> Value,
    ReadOnlyMemory<byte> PublicKey,
    ReadOnlyMemory<byte> Salt,
    long Seq,
    ReadOnlyMemory<byte> Signature,
    DateTimeOffset StoredAt,
    DateTimeOffset ExpiresAt,
    NetEndPoint Source) : IStoredEntry
{
    /// <summary>True for a signed (mutable) item, false for an immutable one.</summary>
    public bool IsMutable => !PublicKey.IsEmpty;
}
