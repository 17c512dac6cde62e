// The arguments of a named-value extension find_value query (NamedValueMessages.FindValue): target, want. A view
// over a reused KrpcMessage, so building and reading one allocates nothing; it reaches only the keys the method's
// description lists, so code holding it cannot set another (the writer refuses a message that does).

namespace Dht.Protocol.Krpc.NamedValues;

/// <summary>A <c>find_value</c> query, read or built over a <see cref="KrpcMessage"/>.</summary>
internal readonly struct FindValueQuery
{
    private readonly KrpcMessage _m;

    private FindValueQuery(KrpcMessage message) => _m = message;

    /// <summary>The find_value query <paramref name="message"/> holds: one parsed (the parser checked it against the description) or one being built.</summary>
    public static FindValueQuery Of(KrpcMessage message) => new(KrpcView.Query(message, NamedValueMethods.FindValue));

    /// <summary>The sender's node id.</summary>
    public NodeId Id => _m.Id;

    /// <summary>The id sought or written under (<c>target</c>, required).</summary>
    public NodeId Target
    {
        get => _m.GetId(KrpcKeys.Target);
        set => _m.Set(KrpcKeys.Target, value);
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
