using Dht.Engine.Loop;
using Dht.Engine.Network;
using Dht.Protocol.Krpc;
using Dht.Rpc;

namespace Dht.Engine.Operations;

/// <summary>
/// The write queries of one <see cref="WritePath"/> call: completes when every one has been answered, refused
/// with an error, or has failed (its query timeout passed, or it could not be sent). A store answered the way a
/// node that does not serve our extension answers (<see cref="ExtensionReach.IsExtensionAnswer"/>: libtorrent takes
/// it for find_node) counts as answered, not stored.
/// </summary>
internal sealed class WriteBatch(NodeLoop loop) : IQueryObserver
{
    private readonly TaskCompletionSource<WriteOutcome> _completion = new();
    private readonly List<int> _errorCodes = [];
    private int _asked;
    private int _stored;
    private int _answeredNotStored;
    private int _outstanding;
    private bool _sealed;

    public Task<WriteOutcome> Task => _completion.Task;

    /// <summary>Called before each send.</summary>
    public void Add()
    {
        _asked++;
        _outstanding++;
    }

    /// <summary>Called after the last send: the batch may complete from now on.</summary>
    public void Seal()
    {
        _sealed = true;
        TryComplete();
    }

    public void OnResponse(PendingQuery query, KrpcMessage response, DateTimeOffset now)
    {
        if (!ExtensionReach.IsExtensionAnswer(query.Method, response))
        {
            _answeredNotStored++;
        }
        else
        {
            _stored++;
        }

        _outstanding--;
        TryComplete();
    }

    public void OnFailure(PendingQuery query, QueryFailure failure, DateTimeOffset now)
    {
        if (failure == QueryFailure.ErrorReply)
        {
            _errorCodes.Add(query.ErrorCode);
        }

        _outstanding--;
        TryComplete();
    }

    public void OnSoftTimeout(PendingQuery query, DateTimeOffset now)
    {
    }

    private void TryComplete()
    {
        if (_sealed && _outstanding == 0 && !_completion.Task.IsCompleted)
        {
            loop.CompleteLater(_completion, new WriteOutcome(_asked, _stored + _answeredNotStored + _errorCodes.Count, _stored, _errorCodes.ToArray()));
        }
    }
}
