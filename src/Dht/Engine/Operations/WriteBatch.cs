using Dht.Engine.Loop;
using Dht.Engine.Network;
using Dht.Protocol.Krpc;
using Dht.Rpc;

namespace Dht.Engine.Operations;

/// <summary>
/// The write queries of one <see cref="WritePath"/> call: completes when every one has been answered, refused
/// with an error, or has failed (its query timeout passed, or it could not be sent). A store answered the way a
/// node that does not serve our extension answers (<see cref="ExtensionReach.IsExtensionAnswer"/>: libtorrent takes
/// it for find_node) counts as answered, not stored. A query added after <see cref="Seal"/> but before the batch
/// has completed (a laggard's place, settled meanwhile) is waited for too; <paramref name="places"/>, the places
/// still open when it completes, become <see cref="WriteOutcome.Pending"/>.
/// </summary>
internal sealed class WriteBatch(NodeLoop loop, LaggardPlaces? places = null) : IQueryObserver
{
    private readonly TaskCompletionSource<WriteOutcome> _completion = new();
    private readonly List<int> _errorCodes = [];
    private int _asked;
    private int _stored;
    private int _answeredNotStored;
    private int _outstanding;
    private bool _sealed;
    private bool _completed;

    public Task<WriteOutcome> Task => _completion.Task;

    /// <summary>True once every query has an outcome after <see cref="Seal"/>: nothing can be added any more.</summary>
    public bool IsComplete => _completed;

    /// <summary>Called before each send; after <see cref="Seal"/> only while not <see cref="IsComplete"/>.</summary>
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
        if (_sealed && _outstanding == 0 && !_completed)
        {
            _completed = true;
            loop.CompleteLater(_completion, new WriteOutcome(_asked, _stored + _answeredNotStored + _errorCodes.Count, _stored, _errorCodes.ToArray())
            {
                Pending = places?.Open ?? 0,
            });
        }
    }
}
