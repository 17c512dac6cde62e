// The arguments of a named-value extension store query (NamedValueMessages.Store): token, target, v, seq, ttl. A
// view over a reused KrpcMessage, so building and reading one allocates nothing; it reaches only the keys the
// method's description lists, so code holding it cannot set another (the writer refuses a message that does).

namespace Dht.Protocol.Krpc.NamedValues;

/// <summary>A <c>store</c> query, read or built over a <see cref="KrpcMessage"/>.</summary>
internal readonly struct StoreQuery
{
    private readonly KrpcMessage _m;

    private StoreQuery(KrpcMessage message) => _m = message;

    /// <summary>The store query <paramref name="message"/> holds: one parsed (the parser checked it against the description) or one being built.</summary>
    public static StoreQuery Of(KrpcMessage message) => new(KrpcView.Query(message, NamedValueMethods.Store));

    /// <summary>The sender's node id.</summary>
    public NodeId Id => _m.Id;

    /// <summary>The write token (<c>token</c>, required).</summary>
    public ReadOnlyMemory<byte> Token
    {
        get => _m.GetBytes(KrpcKeys.Token);
        set => _m.Set(KrpcKeys.Token, value);
    }

    /// <summary>The id sought or written under (<c>target</c>, required).</summary>
    public NodeId Target
    {
        get => _m.GetId(KrpcKeys.Target);
        set => _m.Set(KrpcKeys.Target, value);
    }

    /// <summary>The value, in its encoded form (<c>v</c>, required).</summary>
    public ReadOnlyMemory<byte> Value
    {
        get => _m.GetBytes(KrpcKeys.Value);
        set => _m.Set(KrpcKeys.Value, value);
    }

    /// <summary>The sequence number (<c>seq</c>, required).</summary>
    public long Seq
    {
        get => _m.GetInteger(KrpcKeys.Seq);
        set => _m.Set(KrpcKeys.Seq, value);
    }

    /// <summary>The lifetime, in seconds (<c>ttl</c>); setting it adds the key.</summary>
    public long Ttl
    {
        get => _m.GetInteger(NamedValueMessages.Ttl);
        set => _m.Set(NamedValueMessages.Ttl, value);
    }

    /// <summary>True when the message carries <c>ttl</c>.</summary>
    public bool HasTtl => _m.Has(NamedValueMessages.Ttl);
}
