// The arguments of a BEP 5 ping query (KrpcCoreMethods.Ping): no argument but the sender's id. A view over a
// reused KrpcMessage, so building and reading one allocates nothing; it reaches only the keys the method's
// description lists, so code holding it cannot set another (the writer refuses a message that does).

namespace Dht.Protocol.Krpc.Messages;

/// <summary>A <c>ping</c> query, read or built over a <see cref="KrpcMessage"/>.</summary>
internal readonly struct PingQuery
{
    private readonly KrpcMessage _m;

    private PingQuery(KrpcMessage message) => _m = message;

    /// <summary>The ping query <paramref name="message"/> holds: one parsed (the parser checked it against the description) or one being built.</summary>
    public static PingQuery Of(KrpcMessage message) => new(KrpcView.Query(message, KrpcMethod.Ping));

    /// <summary>The sender's node id.</summary>
    public NodeId Id => _m.Id;
}
