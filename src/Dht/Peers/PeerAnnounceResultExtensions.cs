using Dht.Protocol.Krpc;

namespace Dht.Peers;

/// <summary>How an announce's result is answered on the wire.</summary>
internal static class PeerAnnounceResultExtensions
{
    /// <summary>The message sent with <see cref="ToKrpcErrorCode"/>'s error.</summary>
    public const string SourceLimitMessage = "too many peers announced from this address";

    /// <summary>
    /// The KRPC error code to answer with, or null to answer normally. A refused announce is 202 (server
    /// error), as a full store or an exhausted quota is for a put: nothing in the request was malformed,
    /// but the announcer must not count this node as holding it (BEP 5 defines no more specific code).
    /// </summary>
    public static int? ToKrpcErrorCode(this PeerAnnounceResult result) => result switch
    {
        PeerAnnounceResult.Added or PeerAnnounceResult.Refreshed => null,
        PeerAnnounceResult.RejectedSourceLimit => KrpcErrorCode.Server,
        _ => throw new ArgumentOutOfRangeException(nameof(result), result, null),
    };
}
