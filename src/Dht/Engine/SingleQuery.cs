using Dht.Protocol.Krpc;
using Dht.Rpc;

namespace Dht.Engine;

/// <summary>Awaits the answer to one query. Completion runs continuations inline on the node's loop.</summary>
internal sealed class SingleQuery<T> : IQueryObserver
{
    private readonly Func<KrpcMessage, T> _onResponse;
    private readonly TaskCompletionSource<QueryOutcome<T>> _completion = new();

    public SingleQuery(Func<KrpcMessage, T> onResponse) => _onResponse = onResponse;

    public Task<QueryOutcome<T>> Task => _completion.Task;

    public void OnResponse(PendingQuery query, KrpcMessage response, DateTimeOffset now) =>
        _completion.TrySetResult(new QueryOutcome<T>(true, _onResponse(response), null, now - query.SentAt));

    public void OnFailure(PendingQuery query, QueryFailure failure, DateTimeOffset now) =>
        _completion.TrySetResult(new QueryOutcome<T>(false, default, failure, now - query.SentAt) { ErrorCode = query.ErrorCode });

    public void OnSoftTimeout(PendingQuery query, DateTimeOffset now)
    {
    }
}
