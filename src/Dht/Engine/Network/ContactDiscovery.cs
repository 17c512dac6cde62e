// Meeting the nodes a newcomer knows. A node that queries us for the first time is verified with a find_node
// for our own id rather than a ping (libtorrent refreshes its table with find_node and get_peers for the same
// reason): the answer names the contacts it knows nearest to us. Of those, the ones that would enter a bucket
// of ours with room (RoutingTable.WouldInsert: they take no one's place) and have not failed us lately are
// pinged, and their answers insert them. Kademlia nodes only learn of nodes from their own lookups; without
// this, two groups that a third node joined for a moment never meet, because no node of one group ever looks
// anything up through the bridge before it leaves (DepartedBridgeSimulationTests, DepartureScenarioTests).
//
// Bounded: the pings come out of a budget (MaxPingsPerMinute) whatever the answers name, so a stranger who
// answers with many addresses makes us send at most that many pings a minute.
using System.Runtime.InteropServices;
using Dht.Engine.Maintenance;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Rpc;

namespace Dht.Engine.Network;

/// <summary>The observer of the find_node that verifies a newcomer: pings the nodes it names that we lack.</summary>
internal sealed class ContactDiscovery(NodeFamily family) : IQueryObserver
{
    /// <summary>
    /// Pings of nodes heard of, per minute (all at once if need be). 60: a node joining a small network meets
    /// all of it at once, and a stream of answers naming strangers costs a ping a second.
    /// </summary>
    public const int MaxPingsPerMinute = 60;

    private readonly List<NodeInfo> _named = [];

    public WorkBudget Budget { get; } = new(MaxPingsPerMinute, TimeSpan.FromMinutes(1));

    /// <summary>Pings sent to nodes heard of.</summary>
    public long Pinged { get; private set; }

    public void OnResponse(PendingQuery query, KrpcMessage response, DateTimeOffset now)
    {
        _named.Clear();
        if (!response.Has(KrpcFields.Nodes) || !CompactEncoding.TryReadNodes(response.Nodes.Span, ipv6: false, _named))
        {
            return;
        }

        foreach (var node in CollectionsMarshal.AsSpan(_named))
        {
            if (family.Routing.WouldInsert(node) && !family.IsAvoided(node, now) && Budget.TryTake(now))
            {
                Pinged++;
                family.PingNotInTable(node, now);
            }
        }
    }

    public void OnFailure(PendingQuery query, QueryFailure failure, DateTimeOffset now)
    {
    }

    public void OnSoftTimeout(PendingQuery query, DateTimeOffset now)
    {
    }
}
