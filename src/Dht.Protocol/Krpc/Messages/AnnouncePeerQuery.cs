// The arguments of a BEP 5 announce_peer query (KrpcCoreMethods.AnnouncePeer): info_hash, token, implied_port,
// port, seed. A view over a reused KrpcMessage, so building and reading one allocates nothing; it reaches only the
// keys the method's description lists, so code holding it cannot set another (the writer refuses a message that
// does).

namespace Dht.Protocol.Krpc.Messages;

/// <summary>A <c>announce_peer</c> query, read or built over a <see cref="KrpcMessage"/>.</summary>
internal readonly struct AnnouncePeerQuery
{
    private readonly KrpcMessage _m;

    private AnnouncePeerQuery(KrpcMessage message) => _m = message;

    /// <summary>The announce_peer query <paramref name="message"/> holds: one parsed (the parser checked it against the description) or one being built.</summary>
    public static AnnouncePeerQuery Of(KrpcMessage message) => new(KrpcView.Query(message, KrpcMethod.AnnouncePeer));

    /// <summary>The sender's node id.</summary>
    public NodeId Id => _m.Id;

    /// <summary>The torrent's info hash (<c>info_hash</c>, required).</summary>
    public NodeId InfoHash
    {
        get => _m.GetId(KrpcKeys.InfoHash);
        set => _m.Set(KrpcKeys.InfoHash, value);
    }

    /// <summary>The write token (<c>token</c>, required).</summary>
    public ReadOnlyMemory<byte> Token
    {
        get => _m.GetBytes(KrpcKeys.Token);
        set => _m.Set(KrpcKeys.Token, value);
    }

    /// <summary>Use the UDP source port instead of port (<c>implied_port</c>); setting it adds the key.</summary>
    public bool ImpliedPort
    {
        get => _m.GetFlag(KrpcKeys.ImpliedPort);
        set => _m.Set(KrpcKeys.ImpliedPort, value);
    }

    /// <summary>True when the message carries <c>implied_port</c>.</summary>
    public bool HasImpliedPort => _m.Has(KrpcKeys.ImpliedPort);

    /// <summary>The peer's port (<c>port</c>); setting it adds the key.</summary>
    public long Port
    {
        get => _m.GetInteger(KrpcKeys.Port);
        set => _m.Set(KrpcKeys.Port, value);
    }

    /// <summary>True when the message carries <c>port</c>.</summary>
    public bool HasPort => _m.Has(KrpcKeys.Port);

    /// <summary>BEP 33: the peer is a seed (<c>seed</c>); setting it adds the key.</summary>
    public bool Seed
    {
        get => _m.GetFlag(KrpcKeys.Seed);
        set => _m.Set(KrpcKeys.Seed, value);
    }

    /// <summary>True when the message carries <c>seed</c>.</summary>
    public bool HasSeed => _m.Has(KrpcKeys.Seed);
}
