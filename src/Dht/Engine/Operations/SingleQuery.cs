using Dht.Engine.Loop;
using Dht.Protocol.Krpc;
using Dht.Rpc;

namespace Dht.Engine.Operations;

/// <summary>
/// Awaits the answer to one query. The outcome is read inside the RPC callback and the task completed after it
/// (the response is valid only during the callback; the awaiting code must not run inside it).
/// </summary>
internal sealed class SingleQuery<T>(NodeLoop loop, Func<KrpcMessage, T> onResponse) : IQueryObserver
{
    private readonly TaskCompletionSource<QueryOutcome<T>> _completion = new();

    public Task<QueryOutcome<T>> Task => _completion.Task;

    public void OnResponse(PendingQuery query, KrpcMessage response, DateTimeOffset now) =>
        loop.CompleteLater(_completion, new QueryOutcome<T>(true, onResponse(response), null, now - query.SentAt));

    public void OnFailure(PendingQuery query, QueryFailure failure, DateTimeOffset now) =>
        loop.CompleteLater(_completion, new QueryOutcome<T>(false, default, failure, now - query.SentAt) { ErrorCode = query.ErrorCode });

    public void OnSoftTimeout(PendingQuery query, DateTimeOffset now)
    {
    }
}
