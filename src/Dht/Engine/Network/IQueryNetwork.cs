using Dht.Lookups;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Routing;
using Dht.Rpc;

namespace Dht.Engine.Network;

/// <summary>
/// What lookups, writes and single queries see of the network they run on (one address family of the node):
/// sending queries, the routing table's closest contacts, and nothing else. Called on the node's loop.
/// </summary>
internal interface IQueryNetwork
{
    /// <summary>This node's id (never queried by our own lookups).</summary>
    NodeId LocalId { get; }

    /// <summary>The endpoint this network receives on.</summary>
    NetEndPoint LocalEndPoint { get; }

    /// <summary>
    /// A reset outgoing query with our id. The instance is reused: fill it and send it before preparing another.
    /// </summary>
    KrpcMessage PrepareQuery(KrpcMethod method);

    /// <summary>
    /// Sends <paramref name="query"/> to <paramref name="node"/> (whose id, when not default, must answer); the
    /// outcome goes to <paramref name="observer"/>, on the loop.
    /// </summary>
    void Send(KrpcMessage query, NodeInfo node, IQueryObserver observer, DateTimeOffset now);

    /// <summary>
    /// Replaces the contents of <paramref name="into"/> with up to <paramref name="count"/> usable contacts of the
    /// routing table closest to <paramref name="target"/>, closest first, other than <paramref name="excluded"/>.
    /// </summary>
    void FindClosest(NodeId target, int count, List<NodeInfo> into, NodeId? excluded = null);

    /// <summary>
    /// What <paramref name="node"/> has shown of our named-value extension (<see cref="ExtensionReach"/>): its
    /// queries go only to nodes that speak it.
    /// </summary>
    ExtensionSupport ExtensionOf(NodeInfo node);

    /// <summary>Per-node timeouts and the nodes to leave alone, for lookups (none: fixed timeouts, no one avoided).</summary>
    ILookupAdvisor? LookupAdvisor { get; }

    /// <summary>A lookup of <paramref name="target"/> finished: the bucket it covers counts as refreshed.</summary>
    void LookupFinished(NodeId target, DateTimeOffset now);
}
