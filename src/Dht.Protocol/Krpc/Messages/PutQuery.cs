// The arguments of a BEP 44 put query (KrpcCoreMethods.Put): token, v, cas, k, salt, seq, sig. A view over a
// reused KrpcMessage, so building and reading one allocates nothing; it reaches only the keys the method's
// description lists, so code holding it cannot set another (the writer refuses a message that does).

namespace Dht.Protocol.Krpc.Messages;

/// <summary>A <c>put</c> query, read or built over a <see cref="KrpcMessage"/>.</summary>
internal readonly struct PutQuery
{
    private readonly KrpcMessage _m;

    private PutQuery(KrpcMessage message) => _m = message;

    /// <summary>The put query <paramref name="message"/> holds: one parsed (the parser checked it against the description) or one being built.</summary>
    public static PutQuery Of(KrpcMessage message) => new(KrpcView.Query(message, KrpcMethod.Put));

    /// <summary>The sender's node id.</summary>
    public NodeId Id => _m.Id;

    /// <summary>The write token (<c>token</c>, required).</summary>
    public ReadOnlyMemory<byte> Token
    {
        get => _m.GetBytes(KrpcKeys.Token);
        set => _m.Set(KrpcKeys.Token, value);
    }

    /// <summary>The value, in its encoded form (<c>v</c>, required).</summary>
    public ReadOnlyMemory<byte> Value
    {
        get => _m.GetBytes(KrpcKeys.Value);
        set => _m.Set(KrpcKeys.Value, value);
    }

    /// <summary>The sequence number the put expects to replace (<c>cas</c>); setting it adds the key.</summary>
    public long Cas
    {
        get => _m.GetInteger(KrpcKeys.Cas);
        set => _m.Set(KrpcKeys.Cas, value);
    }

    /// <summary>True when the message carries <c>cas</c>.</summary>
    public bool HasCas => _m.Has(KrpcKeys.Cas);

    /// <summary>The ed25519 public key (<c>k</c>); setting it adds the key.</summary>
    public ReadOnlyMemory<byte> Key
    {
        get => _m.GetBytes(KrpcKeys.Key);
        set => _m.Set(KrpcKeys.Key, value);
    }

    /// <summary>True when the message carries <c>k</c>.</summary>
    public bool HasKey => _m.Has(KrpcKeys.Key);

    /// <summary>The salt (<c>salt</c>); setting it adds the key.</summary>
    public ReadOnlyMemory<byte> Salt
    {
        get => _m.GetBytes(KrpcKeys.Salt);
        set => _m.Set(KrpcKeys.Salt, value);
    }

    /// <summary>True when the message carries <c>salt</c>.</summary>
    public bool HasSalt => _m.Has(KrpcKeys.Salt);

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
}
