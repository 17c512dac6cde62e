using Dht.Engine.Loop;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Rpc;

namespace Dht.Engine;

/// <summary>
/// Several queries sent at once (the stores of a put, the announces of an announce): completes when every
/// one has been answered or has failed, with the nodes that accepted and the error codes of those that did not.
/// </summary>
internal sealed class QueryBatch(NodeLoop loop) : IQueryObserver
{
    private readonly TaskCompletionSource<QueryBatch> _completion = new();
    private int _outstanding;
    private bool _sealed;

    public List<NodeInfo> Succeeded { get; } = [];

    public List<(NodeInfo Node, int ErrorCode)> Rejected { get; } = [];

    public int Failed { get; private set; }

    public Task<QueryBatch> Task => _completion.Task;

    /// <summary>Called before each send.</summary>
    public void Add() => _outstanding++;

    /// <summary>Called after the last send: the batch may complete from now on.</summary>
    public void Seal()
    {
        _sealed = true;
        TryComplete();
    }

    public void OnResponse(PendingQuery query, KrpcMessage response, DateTimeOffset now)
    {
        Succeeded.Add(new NodeInfo(response.Id, query.Destination));
        _outstanding--;
        TryComplete();
    }

    public void OnFailure(PendingQuery query, QueryFailure failure, DateTimeOffset now)
    {
        if (failure == QueryFailure.ErrorReply)
        {
            Rejected.Add((query.Node, query.ErrorCode));
        }
        else
        {
            Failed++;
        }

        _outstanding--;
        TryComplete();
    }

    public void OnSoftTimeout(PendingQuery query, DateTimeOffset now)
    {
    }

    private void TryComplete()
    {
        if (_sealed && _outstanding <= 0)
        {
            loop.CompleteLater(_completion, this);
        }
    }
}
