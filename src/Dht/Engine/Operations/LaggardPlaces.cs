// The places a write lookup kept for its laggards (ClosestNodesLookup.Laggards): nodes among the k closest that
// were still within their soft timeout, overtaken by the answers of others, when the lookup ended without them.
// Each place is settled once: a laggard that answers with a write token is written to; one that falls silent
// (its soft timeout), fails, or answers without a token gives its place to the next node that answered beyond
// the places (a stand-in), so the write reaches k nodes either way and never more. A laggard that answers after
// its place went to a stand-in is not written to. Places that settle before the write starts (answers that were
// already on their way when the lookup ended) are written with the rest of it; WritePath also makes those that
// settle while it runs part of it. Called on the node's loop only.
using Dht.Protocol;

namespace Dht.Engine.Operations;

/// <summary>The laggards' places of one write and the nodes standing by to take them.</summary>
internal sealed class LaggardPlaces(IReadOnlyList<NodeInfo> laggards, IReadOnlyList<NodeInfo> standIns)
{
    private readonly bool[] _settled = new bool[laggards.Count];
    private readonly TaskCompletionSource _allSettled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private List<NodeInfo>? _due; // to write once the write has started
    private Action<NodeInfo>? _write;
    private int _nextStandIn;

    /// <summary>Places not settled yet.</summary>
    public int Open { get; private set; } = laggards.Count;

    /// <summary>Completes once every place is settled: each within its laggard's query timeout.</summary>
    public Task AllSettled => _allSettled.Task;

    /// <summary>
    /// The write starts: returns the nodes whose places settled before it (the laggards that answered since the
    /// lookup ended, the stand-ins of those that fell silent), for the caller to write now with the rest, and has
    /// <paramref name="write"/> send it to one node for each place settled from now on.
    /// </summary>
    public IReadOnlyList<NodeInfo> Start(Action<NodeInfo> write)
    {
        _write = write;
        var settled = (IReadOnlyList<NodeInfo>?)_due ?? [];
        _due = null;
        return settled;
    }

    /// <summary>
    /// The query to <paramref name="node"/> has an outcome: an answer with a write token (<paramref name="writable"/>),
    /// or not (silence past the soft timeout, a failure, an answer without a token). Ignored for a node that holds
    /// no open place.
    /// </summary>
    public void Settle(NodeInfo node, bool writable)
    {
        int index = -1;
        for (int i = 0; i < laggards.Count; i++)
        {
            if (!_settled[i] && laggards[i] == node)
            {
                index = i;
                break;
            }
        }

        if (index < 0)
        {
            return;
        }

        _settled[index] = true;
        if (--Open == 0)
        {
            _allSettled.TrySetResult();
        }

        if (writable)
        {
            Write(node);
        }
        else if (_nextStandIn < standIns.Count)
        {
            Write(standIns[_nextStandIn++]);
        }
    }

    private void Write(NodeInfo node)
    {
        if (_write is not null)
        {
            _write(node);
        }
        else
        {
            (_due ??= []).Add(node);
        }
    }
}
