using Dht.Engine.Loop;
using Dht.Engine.Network;
using Dht.Lookups;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Telemetry;

namespace Dht.Engine.Operations;

/// <summary>The <see cref="IOperationContext"/> of one network: its lookups, its write path, its queries.</summary>
internal sealed class OperationContext(
    IQueryNetwork network,
    LookupRunner lookups,
    WritePath writes,
    NodeLoop loop,
    TimeProvider time,
    int k,
    Action<Exception> backgroundFailed,
    OperationTelemetry? telemetry = null)
    : IOperationContext
{
    public NodeId LocalId => network.LocalId;

    public NetEndPoint LocalEndPoint => network.LocalEndPoint;

    public int K => k;

    public DateTimeOffset Now => time.GetUtcNow();

    public Task<LookupRun> LookupAsync(
        KrpcMethod method,
        NodeId target,
        Action<NodeInfo, KrpcMessage>? onResponse,
        CancellationToken cancellationToken,
        Action<LookupRun>? started = null,
        LookupPurpose purpose = LookupPurpose.Read)
    {
        var lookup = lookups.RunAsync(method, target, onResponse, cancellationToken, started, purpose);
        return telemetry is { ObservesLookups: true } ? telemetry.ObserveLookupAsync(method, target, lookup) : lookup;
    }

    public Task<WriteOutcome> WriteAsync(LookupRun lookup, KrpcMethod method, Action<KrpcMessage> arguments, CancellationToken cancellationToken) =>
        writes.WriteAsync(lookup, method, arguments).WaitAsync(cancellationToken);

    public Task<WriteOutcome> WriteAsync(
        KrpcMethod method,
        IEnumerable<NodeInfo> nodes,
        IReadOnlyDictionary<NodeId, byte[]> tokens,
        Action<KrpcMessage> arguments,
        CancellationToken cancellationToken) =>
        writes.WriteAsync(method, nodes, tokens, arguments).WaitAsync(cancellationToken);

    public Task<QueryOutcome<T>> QueryAsync<T>(
        NodeInfo node,
        KrpcMethod method,
        Action<KrpcMessage>? arguments,
        Func<KrpcMessage, T> read,
        CancellationToken cancellationToken)
    {
        var query = new SingleQuery<T>(loop, read);
        var q = network.PrepareQuery(method);
        arguments?.Invoke(q);
        network.Send(q, node, query, time.GetUtcNow());
        return query.Task.WaitAsync(cancellationToken);
    }

    public void RunInBackground(Task operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        operation.ContinueWith(
            static (t, s) => ((Action<Exception>)s!)(t.Exception!.GetBaseException()),
            backgroundFailed,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}
