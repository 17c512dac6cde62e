// The return values of a BEP 5 find_node response (KrpcCoreMethods.FindNode): nodes, nodes6. A view over a reused
// KrpcMessage, so building and reading one allocates nothing; it reaches only the keys the method's description
// lists, so code holding it cannot set another (the writer refuses a message that does).

namespace Dht.Protocol.Krpc.Messages;

/// <summary>A <c>find_node</c> response, read or built over a <see cref="KrpcMessage"/>.</summary>
internal readonly struct FindNodeResponse
{
    private readonly KrpcMessage _m;

    private FindNodeResponse(KrpcMessage message) => _m = message;

    /// <summary>The find_node response <paramref name="message"/> holds: one parsed or one being built.</summary>
    public static FindNodeResponse Of(KrpcMessage message) => new(KrpcView.Response(message));

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
}
