using Dht.Protocol;

namespace Dht;

/// <summary>A snapshot of a node for monitoring and the shell's <c>status</c> command.</summary>
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
    long StoredItemBytes);
