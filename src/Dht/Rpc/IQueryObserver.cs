using Dht.Protocol.Krpc;

namespace Dht.Rpc;

/// <summary>Receives the outcome of queries sent through <see cref="RpcManager"/>. Called on the node's loop.</summary>
internal interface IQueryObserver
{
    /// <summary>A response arrived from the address queried. The message is valid only during the call.</summary>
    void OnResponse(PendingQuery query, KrpcMessage response, DateTimeOffset now);

    /// <summary>The query failed (timeout, error reply, or not sent). Final: no response follows.</summary>
    void OnFailure(PendingQuery query, QueryFailure failure, DateTimeOffset now);

    /// <summary>The soft timeout passed without an answer; the query is still pending.</summary>
    void OnSoftTimeout(PendingQuery query, DateTimeOffset now);
}
