// The routing table's upkeep queries, for the maintenance duties and status: which buckets need a refresh
// (and a random id in each), which questionable contacts to ping, and counts and snapshots of the contacts'
// states. The table itself, and where it departs from the paper, is RoutingTable.cs.
using System.Diagnostics.CodeAnalysis;
using Dht.Protocol;
using Dht.Rpc;

namespace Dht.Routing;

internal sealed partial class RoutingTable
{
    /// <summary>
    /// Replaces the contents of <paramref name="targets"/> with one random id inside the range of every bucket
    /// that has had no activity for <see cref="RoutingTableOptions.RefreshInterval"/>; the caller runs a
    /// find_node for each. A bucket whose target is handed out counts as refreshed from now, so calling this
    /// on every tick does not start a second lookup while the first one runs.
    /// </summary>
    public void BucketsNeedingRefresh(DateTimeOffset now, Random random, List<NodeId> targets)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(targets);
        targets.Clear();
        int last = _buckets.Count - 1;
        for (int i = 0; i <= last; i++)
        {
            var bucket = _buckets[i];
            if (now - bucket.LastActivity < _options.RefreshInterval)
            {
                continue;
            }

            targets.Add(i < last ? LocalId.RandomWithPrefix(i, random) : RandomInLastBucket(last, random));
            bucket.LastActivity = now;
        }
    }

    /// <summary>A lookup for <paramref name="target"/> ran: the bucket whose range holds it counts as refreshed.</summary>
    public void Touch(NodeId target, DateTimeOffset now)
    {
        var bucket = _buckets[BucketIndexOf(target)];
        if (now > bucket.LastActivity)
        {
            bucket.LastActivity = now;
        }
    }

    /// <summary>
    /// Replaces the contents of <paramref name="into"/> with up to <paramref name="max"/> questionable contacts
    /// that have no ping outstanding, least recently seen first within each bucket. BEP 5: questionable nodes
    /// are pinged before anyone is evicted; the caller pings them and calls <see cref="MarkPinged"/>.
    /// </summary>
    public void QuestionableToPing(DateTimeOffset now, int max, List<NodeInfo> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        into.Clear();
        foreach (var bucket in _buckets)
        {
            bucket.CollectQuestionable(now, _options, max, into);
        }
    }

    /// <summary>How many contacts are good and questionable at <paramref name="now"/> (the rest are bad); allocates nothing.</summary>
    public (int Good, int Questionable) CountStates(DateTimeOffset now)
    {
        int good = 0, questionable = 0;
        foreach (var bucket in _buckets)
        {
            var (g, q) = bucket.CountStates(now, _options);
            good += g;
            questionable += q;
        }

        return (good, questionable);
    }

    /// <summary>Per-bucket ranges and counts, farthest bucket first, for status displays.</summary>
    public IReadOnlyList<BucketSnapshot> Snapshot(DateTimeOffset now) =>
        _buckets.Select((b, i) => b.Snapshot(i, i == _buckets.Count - 1, LocalId, now, _options)).ToArray();

    /// <summary>A random id sharing at least <paramref name="depth"/> leading bits with ours: anywhere in the last bucket.</summary>
    private NodeId RandomInLastBucket(int depth, Random random)
    {
        var mask = NodeId.Mask(depth);
        return (LocalId & mask) | (NodeId.CreateRandom(random) & ~mask);
    }
}
