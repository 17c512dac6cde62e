// The arguments of a BEP 5 get_peers query (KrpcCoreMethods.GetPeers): info_hash, want. A view over a reused
// KrpcMessage, so building and reading one allocates nothing; it reaches only the keys the method's description
// lists, so code holding it cannot set another (the writer refuses a message that does).

namespace Dht.Protocol.Krpc.Messages;

/// <summary>A <c>get_peers</c> query, read or built over a <see cref="KrpcMessage"/>.</summary>
internal readonly struct GetPeersQuery
{
    private readonly KrpcMessage _m;

    private GetPeersQuery(KrpcMessage message) => _m = message;

    /// <summary>The get_peers query <paramref name="message"/> holds: one parsed (the parser checked it against the description) or one being built.</summary>
    public static GetPeersQuery Of(KrpcMessage message) => new(KrpcView.Query(message, KrpcMethod.GetPeers));

    /// <summary>The sender's node id.</summary>
    public NodeId Id => _m.Id;

    /// <summary>The torrent's info hash (<c>info_hash</c>, required).</summary>
    public NodeId InfoHash
    {
        get => _m.GetId(KrpcKeys.InfoHash);
        set => _m.Set(KrpcKeys.InfoHash, value);
    }

    /// <summary>BEP 32: the address families asked for, as an encoded list (KrpcLists.ReadWant) (<c>want</c>); setting it adds the key.</summary>
    public ReadOnlyMemory<byte> Want
    {
        get => _m.GetBytes(KrpcKeys.Want);
        set => _m.Set(KrpcKeys.Want, value);
    }

    /// <summary>True when the message carries <c>want</c>.</summary>
    public bool HasWant => _m.Has(KrpcKeys.Want);
}
