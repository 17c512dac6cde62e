using Dht.Engine.Items;
using Dht.Engine.NamedValues;
using Dht.Engine.Network;
using Dht.Engine.Operations;
using Dht.Peers;

namespace Dht.Engine;

/// <summary>Takes the snapshot behind <c>status</c> from the node's parts, on the loop.</summary>
internal sealed class StatusReporter(
    NodeFamily family, LookupRunner lookups, NodeCounters counters, IPeerStore peers, ItemExtension items, NamedValueExtension? namedValues, TimeProvider time)
{
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();

    public NodeStatus Take()
    {
        var now = time.GetUtcNow();
        return new NodeStatus(
            family.LocalId,
            family.LocalEndPoint,
            now - _startedAt,
            family.Routing.Count,
            family.Routing.Snapshot(now)
                .Select(b => new BucketStatus(b.Index, b.PrefixLength, b.IsLast, b.Count, b.Good, b.Questionable, b.Replacements))
                .ToArray(),
            counters.TotalQueriesReceived,
            counters.TotalQueriesSent,
            counters.TotalTimeouts,
            counters.InvalidMessages,
            peers.InfoHashCount,
            peers.PeerCount,
            family.PendingQueries,
            lookups.Running,
            namedValues?.Policy.Count ?? 0,
            namedValues?.Policy.TotalBytes ?? 0,
            items.Policy.Count,
            items.Policy.TotalBytes)
        {
            PublicEndPoint = family.PublicEndPoint,
        };
    }
}
