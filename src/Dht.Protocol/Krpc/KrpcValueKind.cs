// Where a KrpcMessage keeps a key's value: one table per kind of value, a slot per key (KrpcKey.Slot).
namespace Dht.Protocol.Krpc;

/// <summary>The table of a <see cref="KrpcMessage"/> that holds a key's value.</summary>
internal enum KrpcValueKind : byte
{
    /// <summary>Node ids and info hashes.</summary>
    NodeId,

    /// <summary>Byte strings and encoded values, as slices.</summary>
    Bytes,

    /// <summary>Integers.</summary>
    Integer,

    /// <summary>Integers read as booleans.</summary>
    Flag,
}
