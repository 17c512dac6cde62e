using Dht.Protocol.Krpc;

namespace Dht.Engine.Dispatch;

/// <summary>
/// Answers the queries of one protocol (BEP 5, BEP 44, named values). Called on the node's loop with a validated
/// query and a reply that already carries the envelope (transaction id, our id, client version, the
/// requester's address); the handler adds its return values, or answers with an error, or answers later.
/// </summary>
internal interface IQueryHandler
{
    /// <summary>The methods this handler answers.</summary>
    IReadOnlyList<KrpcMethod> Methods { get; }

    /// <summary>
    /// Answers <paramref name="query"/>. Both messages are valid only during the call: a later answer must not
    /// keep them (the dispatcher keeps what it needs).
    /// </summary>
    QueryAnswer Handle(IQueryContext context, KrpcMessage query, KrpcMessage reply);
}
