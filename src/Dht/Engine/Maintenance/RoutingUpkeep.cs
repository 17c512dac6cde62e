// Routing-table upkeep of one network, at every maintenance tick: ping the questionable contacts (BEP 5) and
// the lost ones that are due (Network/LostContacts), rejoin when no usable contact is left, and refresh the
// buckets that saw no activity for the refresh interval (BEP 5: 15 minutes) with a lookup of a random id in
// their range, leaving half of the operation budget to the application.
using Dht.Engine.Network;
using Dht.Engine.Operations;
using Dht.Protocol;
using Dht.Protocol.Krpc;

namespace Dht.Engine.Maintenance;

/// <summary>Pings, rejoins and bucket refreshes of one network.</summary>
internal sealed class RoutingUpkeep(
    NodeFamily family, LookupRunner lookups, Bootstrapper bootstrapper, IOperationContext operations, IRandomSource random, int maxConcurrentOperations)
    : IMaintenanceDuty
{
    // Pings per tick, for each of the two kinds.
    private const int MaxPingsPerTick = 8;

    private readonly List<NodeInfo> _nodes = [];
    private readonly List<NodeId> _refreshTargets = [];

    public void Run(DateTimeOffset now)
    {
        var routing = family.Routing;
        routing.QuestionableToPing(now, MaxPingsPerTick, _nodes);
        foreach (var node in _nodes)
        {
            family.Ping(node, now);
        }

        family.Lost.Due(now, MaxPingsPerTick, _nodes);
        foreach (var node in _nodes)
        {
            family.PingNotInTable(node, now);
        }

        // Bad contacts stay in their buckets until replaced, so "lost every contact" means no usable one.
        family.FindClosest(family.LocalId, 1, _nodes);
        if (_nodes.Count == 0)
        {
            if (bootstrapper.RejoinIfIdle() is { } rejoin)
            {
                operations.RunInBackground(rejoin);
            }

            return;
        }

        _refreshTargets.Clear();
        routing.BucketsNeedingRefresh(now, random.AsRandom, _refreshTargets);
        foreach (var target in _refreshTargets)
        {
            if (lookups.Running >= maxConcurrentOperations / 2)
            {
                break;
            }

            lookups.Start(KrpcMethod.FindNode, target, null, now);
        }
    }
}
