using Dht.Lookups;
using Dht.Protocol;
using Dht.Protocol.Krpc;

namespace Dht.Engine.Operations;

/// <summary>
/// What the client side of a protocol (announce, BEP 44 put and get, named values, joining) sees of the node:
/// lookups, writes, single queries and the clock. Called on the node's loop; every task it returns completes
/// there.
/// </summary>
internal interface IOperationContext
{
    /// <summary>This node's id.</summary>
    NodeId LocalId { get; }

    /// <summary>The endpoint the node receives on (announce_peer's implied port).</summary>
    NetEndPoint LocalEndPoint { get; }

    /// <summary>k: the bucket size, the replication factor and the size of a lookup's result.</summary>
    int K { get; }

    /// <summary>The current time.</summary>
    DateTimeOffset Now { get; }

    /// <summary>An iterative lookup; see <see cref="LookupRunner.RunAsync"/>.</summary>
    Task<LookupRun> LookupAsync(
        KrpcMethod method,
        NodeId target,
        Action<NodeInfo, KrpcMessage>? onResponse,
        CancellationToken cancellationToken,
        Action<LookupRun>? started = null,
        LookupPurpose purpose = LookupPurpose.Read);

    /// <summary>
    /// The write of "look up, then write": to the k closest nodes that answered <paramref name="lookup"/>, each
    /// with the token it gave; see <see cref="WritePath"/>.
    /// </summary>
    Task<WriteOutcome> WriteAsync(LookupRun lookup, KrpcMethod method, Action<KrpcMessage> arguments, CancellationToken cancellationToken);

    /// <summary>A write to those of <paramref name="nodes"/> that gave a token; see <see cref="WritePath"/>.</summary>
    Task<WriteOutcome> WriteAsync(
        KrpcMethod method,
        IEnumerable<NodeInfo> nodes,
        IReadOnlyDictionary<NodeId, byte[]> tokens,
        Action<KrpcMessage> arguments,
        CancellationToken cancellationToken);

    /// <summary>
    /// One query to <paramref name="node"/> (its id default when unknown); <paramref name="read"/> takes what
    /// is kept from the answer, inside the RPC callback.
    /// </summary>
    Task<QueryOutcome<T>> QueryAsync<T>(
        NodeInfo node,
        KrpcMethod method,
        Action<KrpcMessage>? arguments,
        Func<KrpcMessage, T> read,
        CancellationToken cancellationToken);

    /// <summary>Runs an operation nobody awaits (upkeep); a failure is logged.</summary>
    void RunInBackground(Task operation);
}
