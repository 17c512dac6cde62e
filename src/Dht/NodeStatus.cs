using Dht.Protocol;

namespace Dht;

/// <summary>A snapshot of a node for monitoring and the shell's <c>status</c> command, taken on the node's loop.</summary>
/// <param name="Id">The node's id.</param>
/// <param name="EndPoint">Where its socket is bound (<see cref="DhtNode.LocalEndPoint"/>).</param>
/// <param name="Uptime">Time since the node was created.</param>
/// <param name="Contacts">Contacts in the routing table.</param>
/// <param name="Buckets">The routing table's buckets, farthest first.</param>
/// <param name="QueriesReceived">Queries received, every method together.</param>
/// <param name="QueriesSent">Queries sent, every method together.</param>
/// <param name="Timeouts">Queries of ours that got no answer in time.</param>
/// <param name="InvalidMessages">Datagrams that failed to decode or validate.</param>
/// <param name="InfoHashes">Info-hashes this node holds announced peers for.</param>
/// <param name="Peers">Announced peers held, all info-hashes together.</param>
/// <param name="PendingQueries">Queries of ours awaiting an answer.</param>
/// <param name="ActiveLookups">Iterative lookups running.</param>
/// <param name="StoredValues">Named values held for the network (tombstones included).</param>
/// <param name="StoredBytes">Bytes of those values.</param>
/// <param name="StoredItems">BEP 44 items held for the network.</param>
/// <param name="StoredItemBytes">Bytes of those items.</param>
public sealed record NodeStatus(
    NodeId Id,
    NetEndPoint EndPoint,
    TimeSpan Uptime,
    int Contacts,
    IReadOnlyList<BucketStatus> Buckets,
    long QueriesReceived,
    long QueriesSent,
    long Timeouts,
    long InvalidMessages,
    int InfoHashes,
    int Peers,
    int PendingQueries,
    int ActiveLookups,
    int StoredValues,
    long StoredBytes,
    int StoredItems,
    long StoredItemBytes)
{
    /// <summary>Where other nodes see this one (<see cref="DhtNode.PublicEndPoint"/>); null until known.</summary>
    public NetEndPoint? PublicEndPoint { get; init; }
}
