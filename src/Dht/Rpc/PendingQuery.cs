using Dht.Protocol;
using Dht.Protocol.Krpc;

namespace Dht.Rpc;

/// <summary>One query of ours awaiting its answer.</summary>
internal sealed class PendingQuery
{
    public required uint TransactionId { get; init; }

    public required KrpcMethod Method { get; init; }

    /// <summary>Where the query went; only a response from this endpoint is accepted.</summary>
    public required NetEndPoint Destination { get; init; }

    /// <summary>The id we expect the responder to have, when we know it.</summary>
    public NodeId? ExpectedId { get; init; }

    public required DateTimeOffset SentAt { get; init; }

    /// <summary>When the query stops holding up a lookup (it may still be answered).</summary>
    public required DateTimeOffset SoftDeadline { get; init; }

    /// <summary>When the query fails for want of an answer.</summary>
    public required DateTimeOffset HardDeadline { get; init; }

    public required IQueryObserver Observer { get; init; }

    public bool SoftTimedOut { get; set; }

    /// <summary>For <see cref="QueryFailure.ErrorReply"/>: the code received.</summary>
    public int ErrorCode { get; set; }

    /// <summary>The node as addressed (id may be unknown for bootstrap contacts).</summary>
    public NodeInfo Node => new(ExpectedId ?? default, Destination);
}
