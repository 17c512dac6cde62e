// The return values of a named-value extension find_value response (NamedValueMessages.FindValue): nodes, nodes6,
// seq, token, ttl, v. A view over a reused KrpcMessage, so building and reading one allocates nothing; it reaches
// only the keys the method's description lists, so code holding it cannot set another (the writer refuses a
// message that does).

namespace Dht.Protocol.Krpc.NamedValues;

/// <summary>A <c>find_value</c> response, read or built over a <see cref="KrpcMessage"/>.</summary>
internal readonly struct FindValueResponse
{
    private readonly KrpcMessage _m;

    private FindValueResponse(KrpcMessage message) => _m = message;

    /// <summary>The find_value response <paramref name="message"/> holds: one parsed or one being built.</summary>
    public static FindValueResponse Of(KrpcMessage message) => new(KrpcView.Response(message));

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

    /// <summary>The sequence number (<c>seq</c>); setting it adds the key.</summary>
    public long Seq
    {
        get => _m.GetInteger(KrpcKeys.Seq);
        set => _m.Set(KrpcKeys.Seq, value);
    }

    /// <summary>True when the message carries <c>seq</c>.</summary>
    public bool HasSeq => _m.Has(KrpcKeys.Seq);

    /// <summary>The write token (<c>token</c>); setting it adds the key.</summary>
    public ReadOnlyMemory<byte> Token
    {
        get => _m.GetBytes(KrpcKeys.Token);
        set => _m.Set(KrpcKeys.Token, value);
    }

    /// <summary>True when the message carries <c>token</c>.</summary>
    public bool HasToken => _m.Has(KrpcKeys.Token);

    /// <summary>The lifetime, in seconds (<c>ttl</c>); setting it adds the key.</summary>
    public long Ttl
    {
        get => _m.GetInteger(NamedValueMessages.Ttl);
        set => _m.Set(NamedValueMessages.Ttl, value);
    }

    /// <summary>True when the message carries <c>ttl</c>.</summary>
    public bool HasTtl => _m.Has(NamedValueMessages.Ttl);

    /// <summary>The value, in its encoded form (<c>v</c>); setting it adds the key.</summary>
    public ReadOnlyMemory<byte> Value
    {
        get => _m.GetBytes(KrpcKeys.Value);
        set => _m.Set(KrpcKeys.Value, value);
    }

    /// <summary>True when the message carries <c>v</c>.</summary>
    public bool HasValue => _m.Has(KrpcKeys.Value);
}
