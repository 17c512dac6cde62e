// The return values of a BEP 5 ping response (KrpcCoreMethods.Ping): nothing but the responder's id. A view over a
// reused KrpcMessage, so building and reading one allocates nothing; it reaches only the keys the method's
// description lists, so code holding it cannot set another (the writer refuses a message that does).

namespace Dht.Protocol.Krpc.Messages;

/// <summary>A <c>ping</c> response, read or built over a <see cref="KrpcMessage"/>.</summary>
internal readonly struct PingResponse
{
    private readonly KrpcMessage _m;

    private PingResponse(KrpcMessage message) => _m = message;

    /// <summary>The ping response <paramref name="message"/> holds: one parsed or one being built.</summary>
    public static PingResponse Of(KrpcMessage message) => new(KrpcView.Response(message));

    /// <summary>The responder's node id.</summary>
    public NodeId Id => _m.Id;
}
