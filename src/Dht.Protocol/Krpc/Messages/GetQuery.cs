// The arguments of a BEP 44 get query (KrpcCoreMethods.Get): target, seq, want. A view over a reused KrpcMessage,
// so building and reading one allocates nothing; it reaches only the keys the method's description lists, so code
// holding it cannot set another (the writer refuses a message that does).

namespace Dht.Protocol.Krpc.Messages;

/// <summary>A <c>get</c> query, read or built over a <see cref="KrpcMessage"/>.</summary>
internal readonly struct GetQuery
{
    private readonly KrpcMessage _m;

    private GetQuery(KrpcMessage message) => _m = message;

    /// <summary>The get query <paramref name="message"/> holds: one parsed (the parser checked it against the description) or one being built.</summary>
    public static GetQuery Of(KrpcMessage message) => new(KrpcView.Query(message, KrpcMethod.Get));

    /// <summary>The sender's node id.</summary>
    public NodeId Id => _m.Id;

    /// <summary>The id sought or written under (<c>target</c>, required).</summary>
    public NodeId Target
    {
        get => _m.GetId(KrpcKeys.Target);
        set => _m.Set(KrpcKeys.Target, value);
    }

    /// <summary>The sequence number (<c>seq</c>); setting it adds the key.</summary>
    public long Seq
    {
        get => _m.GetInteger(KrpcKeys.Seq);
        set => _m.Set(KrpcKeys.Seq, value);
    }

    /// <summary>True when the message carries <c>seq</c>.</summary>
    public bool HasSeq => _m.Has(KrpcKeys.Seq);

    /// <summary>BEP 32: the address families asked for, as an encoded list (KrpcLists.ReadWant) (<c>want</c>); setting it adds the key.</summary>
    public ReadOnlyMemory<byte> Want
    {
        get => _m.GetBytes(KrpcKeys.Want);
        set => _m.Set(KrpcKeys.Want, value);
    }

    /// <summary>True when the message carries <c>want</c>.</summary>
    public bool HasWant => _m.Has(KrpcKeys.Want);
}
