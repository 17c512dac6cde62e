namespace Dht.Protocol.Krpc;

/// <summary>Wire names of <see cref="KrpcMethod"/> values.</summary>
internal static class KrpcMethods
{
    /// <summary>The wire name of a method.</summary>
    public static ReadOnlySpan<byte> NameOf(KrpcMethod method) => method switch
    {
        KrpcMethod.Ping => "ping"u8,
        KrpcMethod.FindNode => "find_node"u8,
        KrpcMethod.GetPeers => "get_peers"u8,
        KrpcMethod.AnnouncePeer => "announce_peer"u8,
        KrpcMethod.Get => "get"u8,
        KrpcMethod.Put => "put"u8,
        KrpcMethod.FindValue => "find_value"u8,
        KrpcMethod.Store => "store"u8,
        _ => throw new ArgumentOutOfRangeException(nameof(method)),
    };

    /// <summary>The method a wire name stands for, or <see cref="KrpcMethod.Unknown"/>.</summary>
    public static KrpcMethod Parse(ReadOnlySpan<byte> name) => name switch
    {
        _ when name.SequenceEqual("ping"u8) => KrpcMethod.Ping,
        _ when name.SequenceEqual("find_node"u8) => KrpcMethod.FindNode,
        _ when name.SequenceEqual("get_peers"u8) => KrpcMethod.GetPeers,
        _ when name.SequenceEqual("announce_peer"u8) => KrpcMethod.AnnouncePeer,
        _ when name.SequenceEqual("get"u8) => KrpcMethod.Get,
        _ when name.SequenceEqual("put"u8) => KrpcMethod.Put,
        _ when name.SequenceEqual("find_value"u8) => KrpcMethod.FindValue,
        _ when name.SequenceEqual("store"u8) => KrpcMethod.Store,
        _ => KrpcMethod.Unknown,
    };

    /// <summary>A display name for logs and metrics.</summary>
    public static string DisplayName(KrpcMethod method) => method switch
    {
        KrpcMethod.Ping => "ping",
        KrpcMethod.FindNode => "find_node",
        KrpcMethod.GetPeers => "get_peers",
        KrpcMethod.AnnouncePeer => "announce_peer",
        KrpcMethod.Get => "get",
        KrpcMethod.Put => "put",
        KrpcMethod.FindValue => "find_value",
        KrpcMethod.Store => "store",
        _ => "unknown",
    };
}
