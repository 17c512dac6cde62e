// The named-value extension's part of the wire format: its methods, find_value and store, and its one key
// of its own, ttl. The conventions are BEP 44's (get/put), with the target, seq and lifetime carried
// explicitly so that a value needs no signature. KrpcSchema.Default adds this table to the core one; the
// protocol core knows nothing of it (its method ids are NamedValueMethods').
namespace Dht.Protocol.Krpc.NamedValues;

/// <summary>Keys and methods of the named-value extension.</summary>
internal static class NamedValueMessages
{
    /// <summary><c>ttl</c>: the lifetime, in seconds, a store asks for and a find_value answer has left.</summary>
    public static readonly KrpcKey Ttl = KrpcKey.Integer("ttl", minValue: 0);

    /// <summary><c>find_value</c>: the value stored under a target, or the nodes closest to it, and a write token.</summary>
    public static readonly KrpcMethodDescription FindValue = new(
        NamedValueMethods.FindValue,
        "find_value",
        required: [KrpcKeys.Target],
        optional: [KrpcKeys.Want],
        returns: [KrpcKeys.Nodes, KrpcKeys.Nodes6, KrpcKeys.Seq, KrpcKeys.Token, Ttl, KrpcKeys.Value]);

    /// <summary><c>store</c>: writes a value under a target with a token from find_value.</summary>
    public static readonly KrpcMethodDescription Store = new(
        NamedValueMethods.Store,
        "store",
        required: [KrpcKeys.Token, KrpcKeys.Target, KrpcKeys.Value, KrpcKeys.Seq],
        optional: [Ttl]);

    /// <summary>The extension's own keys.</summary>
    public static IReadOnlyList<KrpcKey> Keys { get; } = [Ttl];

    /// <summary>The extension's methods.</summary>
    public static IReadOnlyList<KrpcMethodDescription> Methods { get; } = [FindValue, Store];
}
