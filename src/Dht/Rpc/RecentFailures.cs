// A bounded memory of nodes that did not answer us, so that our lookups stop asking them while other nodes
// keep listing them (a node that has just left stays "good" in their tables until they query it themselves).
// Two kinds of entry:
// - suspect: a query to it passed its soft timeout and is still pending; kept until that query's hard deadline,
//   so that concurrent lookups do not each wait out the same silence;
// - failed: a query to it failed; kept for RetryAfter, doubling with each failure in a row up to MaxRetryAfter.
// An answer from the node, even a late one, forgets it. Entries are keyed by id and count only at the address
// that failed: the same id answering elsewhere (a restart on a new port) is not held against it.
//
// Every operation is O(1): a dictionary by id over a list in order of last change, so that the least recently
// changed entry is evicted when the memory is full. An expired entry stays until then (it no longer keeps the
// node away) so that a node failing again soon after is avoided longer. Not thread-safe: it belongs to the
// node's loop.
using Dht.Protocol;

namespace Dht.Rpc;

/// <summary>Nodes that recently failed to answer our queries.</summary>
internal sealed class RecentFailures
{
    private readonly Dictionary<NodeId, LinkedListNode<Entry>> _byId = [];
    private readonly LinkedList<Entry> _order = new();

    public RecentFailures(int capacity, TimeSpan retryAfter, TimeSpan maxRetryAfter)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(retryAfter, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRetryAfter, retryAfter);
        Capacity = capacity;
        RetryAfter = retryAfter;
        MaxRetryAfter = maxRetryAfter;
    }

    public int Capacity { get; }

    /// <summary>How long a node is avoided after its first failure in a row.</summary>
    public TimeSpan RetryAfter { get; }

    /// <summary>The longest a node is avoided, however often it failed.</summary>
    public TimeSpan MaxRetryAfter { get; }

    /// <summary>Entries held, expired ones included until they are evicted.</summary>
    public int Count => _byId.Count;

    /// <summary>
    /// A query to <paramref name="node"/> passed its soft timeout; its outcome is due by
    /// <paramref name="until"/>. Never shortens what an earlier failure set.
    /// </summary>
    public void Suspect(NodeInfo node, DateTimeOffset until)
    {
        if (_byId.TryGetValue(node.Id, out var known))
        {
            var entry = known.Value;
            if (entry.EndPoint == node.EndPoint && entry.Until >= until)
            {
                return;
            }

            known.Value = entry.EndPoint == node.EndPoint ? entry with { Until = until } : new Entry(node.Id, node.EndPoint, 0, until);
            MoveToBack(known);
            return;
        }

        Add(new Entry(node.Id, node.EndPoint, 0, until));
    }

    /// <summary>A query to <paramref name="node"/> failed: it is avoided for a while, longer with each failure in a row.</summary>
    public void Failed(NodeInfo node, DateTimeOffset now)
    {
        // Failures count in a row while each comes within MaxRetryAfter of the previous one's expiry.
        int failures = 1;
        if (_byId.TryGetValue(node.Id, out var known) && known.Value.EndPoint == node.EndPoint && now - known.Value.Until < MaxRetryAfter)
        {
            failures = Math.Min(known.Value.Failures + 1, 30);
        }

        var wait = RetryAfter;
        for (int i = 1; i < failures && wait < MaxRetryAfter; i++)
        {
            wait *= 2;
        }

        var entry = new Entry(node.Id, node.EndPoint, failures, now + (wait < MaxRetryAfter ? wait : MaxRetryAfter));
        if (known is not null)
        {
            known.Value = entry;
            MoveToBack(known);
            return;
        }

        Add(entry);
    }

    /// <summary>The node answered from that address: nothing is held against it there any more.</summary>
    public void Answered(NodeInfo node)
    {
        if (_byId.TryGetValue(node.Id, out var known) && known.Value.EndPoint == node.EndPoint)
        {
            _byId.Remove(node.Id);
            _order.Remove(known);
        }
    }

    /// <summary>True while <paramref name="node"/> (that id at that address) is to be left alone.</summary>
    public bool IsAvoided(NodeInfo node, DateTimeOffset now) =>
        _byId.TryGetValue(node.Id, out var known) && known.Value.EndPoint == node.EndPoint && now < known.Value.Until;

    /// <summary>Consecutive failures remembered for <paramref name="node"/>; 0 when none.</summary>
    public int FailuresOf(NodeInfo node) =>
        _byId.TryGetValue(node.Id, out var known) && known.Value.EndPoint == node.EndPoint ? known.Value.Failures : 0;

    private void Add(Entry entry)
    {
        if (Capacity == 0)
        {
            return;
        }

        if (_byId.Count >= Capacity && _order.First is { } oldest)
        {
            _byId.Remove(oldest.Value.Id);
            _order.RemoveFirst();
        }

        _byId.Add(entry.Id, _order.AddLast(entry));
    }

    private void MoveToBack(LinkedListNode<Entry> node)
    {
        _order.Remove(node);
        _order.AddLast(node);
    }

    private readonly record struct Entry(NodeId Id, NetEndPoint EndPoint, int Failures, DateTimeOffset Until);
}
