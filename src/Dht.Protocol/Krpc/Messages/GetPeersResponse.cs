// The return values of a BEP 5 get_peers response (KrpcCoreMethods.GetPeers): nodes, nodes6, token, values. A view
// over a reused KrpcMessage, so building and reading one allocates nothing; it reaches only the keys the method's
// description lists, so code holding it cannot set another (the writer refuses a message that does).

namespace Dht.Protocol.Krpc.Messages;

/// <summary>A <c>get_peers</c> response, read or built over a <see cref="KrpcMessage"/>.</summary>
internal readonly struct GetPeersResponse
{
    private readonly KrpcMessage _m;

    private GetPeersResponse(KrpcMessage message) => _m = message;

    /// <summary>The get_peers response <paramref name="message"/> holds: one parsed or one being built.</summary>
    public static GetPeersResponse Of(KrpcMessage message) => new(KrpcView.Response(message));

    /// <summary>The responder's node id.</summary>
    public NodeId Id => _m.Id;

    /// <summary>Compact IPv4 node infos (<c>nodes</c>); setting it adds the key.</summary>
    public ReadOnlyMemory<byte> Nodes
    {
        get => _m.GetBytes(KrpcKeys.Nodes);
        set => _m.Set(KrpcKeys.Nodes, value);
    }

    /// <summary>True when the message carries <c>nodes</c>.</summary>
    public bool HasNodes => _m.Has(KrpcKeys.Nodes);

    /// <summary>BEP 32: compact IPv6 node infos (<c>nodes6</c>); setting it adds the key.</summary>
    public ReadOnlyMemory<byte> Nodes6
    {
        get => _m.GetBytes(KrpcKeys.Nodes6);
        set => _m.Set(KrpcKeys.Nodes6, value);
    }

    /// <summary>True when the message carries <c>nodes6</c>.</summary>
    public bool HasNodes6 => _m.Has(KrpcKeys.Nodes6);

    /// <summary>The write token (<c>token</c>); setting it adds the key.</summary>
    public ReadOnlyMemory<byte> Token
    {
        get => _m.GetBytes(KrpcKeys.Token);
        set => _m.Set(KrpcKeys.Token, value);
    }

    /// <summary>True when the message carries <c>token</c>.</summary>
    public bool HasToken => _m.Has(KrpcKeys.Token);

    /// <summary>Compact peer infos, as an encoded list (KrpcLists reads and writes it) (<c>values</c>); setting it adds the key.</summary>
    public ReadOnlyMemory<byte> Values
    {
        get => _m.GetBytes(KrpcKeys.Values);
        set => _m.Set(KrpcKeys.Values, value);
    }

    /// <summary>True when the message carries <c>values</c>.</summary>
    public bool HasValues => _m.Has(KrpcKeys.Values);
}
