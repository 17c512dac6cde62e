// The arguments of a BEP 5 find_node query (KrpcCoreMethods.FindNode): target, want. A view over a reused
// KrpcMessage, so building and reading one allocates nothing; it reaches only the keys the method's description
// lists, so code holding it cannot set another (the writer refuses a message that does).

namespace Dht.Protocol.Krpc.Messages;

/// <summary>A <c>find_node</c> query, read or built over a <see cref="KrpcMessage"/>.</summary>
internal readonly struct FindNodeQuery
{
    private readonly KrpcMessage _m;

    private FindNodeQuery(KrpcMessage message) => _m = message;

    /// <summary>The find_node query <paramref name="message"/> holds: one parsed (the parser checked it against the description) or one being built.</summary>
    public static FindNodeQuery Of(KrpcMessage message) => new(KrpcView.Query(message, KrpcMethod.FindNode));

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
