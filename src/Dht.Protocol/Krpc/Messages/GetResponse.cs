// The return values of a BEP 44 get response (KrpcCoreMethods.Get): k, nodes, nodes6, seq, sig, token, v. A view
// over a reused KrpcMessage, so building and reading one allocates nothing; it reaches only the keys the method's
// description lists, so code holding it cannot set another (the writer refuses a message that does).

namespace Dht.Protocol.Krpc.Messages;

/// <summary>A <c>get</c> response, read or built over a <see cref="KrpcMessage"/>.</summary>
internal readonly struct GetResponse
{
    private readonly KrpcMessage _m;

    private GetResponse(KrpcMessage message) => _m = message;

    /// <summary>The get response <paramref name="message"/> holds: one parsed or one being built.</summary>
    public static GetResponse Of(KrpcMessage message) => new(KrpcView.Response(message));

    /// <summary>The responder's node id.</summary>
    public NodeId Id => _m.Id;

    /// <summary>The ed25519 public key (<c>k</c>); setting it adds the key.</summary>
    public ReadOnlyMemory<byte> Key
    {
        get => _m.GetBytes(KrpcKeys.Key);
        set => _m.Set(KrpcKeys.Key, value);
    }

    /// <summary>True when the message carries <c>k</c>.</summary>
    public bool HasKey => _m.Has(KrpcKeys.Key);

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

    /// <summary>The ed25519 signature (<c>sig</c>); setting it adds the key.</summary>
    public ReadOnlyMemory<byte> Signature
    {
        get => _m.GetBytes(KrpcKeys.Signature);
        set => _m.Set(KrpcKeys.Signature, value);
    }

    /// <summary>True when the message carries <c>sig</c>.</summary>
    public bool HasSignature => _m.Has(KrpcKeys.Signature);

    /// <summary>The write token (<c>token</c>); setting it adds the key.</summary>
    public ReadOnlyMemory<byte> Token
    {
        get => _m.GetBytes(KrpcKeys.Token);
        set => _m.Set(KrpcKeys.Token, value);
    }

    /// <summary>True when the message carries <c>token</c>.</summary>
    public bool HasToken => _m.Has(KrpcKeys.Token);

    /// <summary>The value, in its encoded form (<c>v</c>); setting it adds the key.</summary>
    public ReadOnlyMemory<byte> Value
    {
        get => _m.GetBytes(KrpcKeys.Value);
        set => _m.Set(KrpcKeys.Value, value);
    }

    /// <summary>True when the message carries <c>v</c>.</summary>
    public bool HasValue => _m.Has(KrpcKeys.Value);
}
