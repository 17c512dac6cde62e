// Spans and duration measurements around a node's operations and lookups, and nothing at all when nobody
// listens: an operation is then started on the loop exactly as without this class.
//
// An application call gets its span on the caller's thread, so the caller's current activity is its parent,
// and runs on the loop with that span current, so the lookups it makes are its children wherever the loop
// runs them. A lookup's span takes as parent only a span of ours: the loop also runs work for timers and
// datagrams on whichever thread drains it, whose current activity belongs to someone else, so a lookup of
// the node's own upkeep is a root span. Times come from the node's TimeProvider, so spans and histograms of a
// simulated node are in its virtual time.
using System.Diagnostics;
using Dht.Engine.Loop;
using Dht.Engine.Operations;
using Dht.Protocol;
using Dht.Protocol.Krpc;

namespace Dht.Telemetry;

/// <summary>The tracing and timing of one node's operations and lookups.</summary>
internal sealed class OperationTelemetry(NodeId nodeId, NodeLoop loop, TimeProvider time)
{
    private readonly string _node = nodeId.ToString();

    /// <summary>The node's instruments, once <see cref="DhtNode"/> has made its meter; null for bare engines (simulations).</summary>
    public NodeMetrics? Metrics { get; set; }

    /// <summary>True when a lookup's span or measurements would be taken.</summary>
    public bool ObservesLookups => DhtTracing.Source.HasListeners() || Metrics is { RecordsLookups: true };

    /// <summary>
    /// Starts <paramref name="body"/> on the loop as the operation <paramref name="operation"/> (<see cref="OperationNames"/>),
    /// about <paramref name="key"/>, <paramref name="target"/> or <paramref name="endPoint"/>.
    /// </summary>
    public Task<T> Run<T>(string operation, string? key, NodeId? target, NetEndPoint? endPoint, Func<Task<T>> body)
        where T : IOperationResult
    {
        var metrics = Metrics;
        var activity = DhtTracing.Source.HasListeners() ? StartOperation(operation, key, target, endPoint) : null;
        if (activity is null && metrics is not { RecordsOperations: true })
        {
            return loop.InvokeAsync(body);
        }

        var started = time.GetUtcNow();
        return loop.InvokeAsync(() => ObserveAsync(body, operation, activity, started));
    }

    /// <summary>Runs <paramref name="lookup"/> (on the loop) with its span and measurements.</summary>
    public async Task<LookupRun> ObserveLookupAsync(KrpcMethod method, NodeId target, Task<LookupRun> lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        using var activity = DhtTracing.Source.HasListeners() ? StartLookup(method, target) : null;
        string outcome = Outcomes.Error;
        try
        {
            var run = await lookup.ConfigureAwait(true);
            outcome = run.Answered > 0 ? Outcomes.Answered : Outcomes.NoNodeAnswered;
            Metrics?.RecordLookup(method, run.Lookup.Rounds, run.Lookup.QueriesSent);
            if (activity is { IsAllDataRequested: true })
            {
                activity.SetTag(TelemetryTags.NodesAsked, run.Asked);
                activity.SetTag(TelemetryTags.NodesAnswered, run.Answered);
                activity.SetTag(TelemetryTags.Rounds, run.Lookup.Rounds);
                activity.SetTag(TelemetryTags.Queries, run.Lookup.QueriesSent);
            }

            return run;
        }
        catch (OperationCanceledException)
        {
            outcome = Outcomes.Cancelled;
            throw;
        }
        finally
        {
            if (activity is not null)
            {
                activity.SetTag(TelemetryTags.Outcome, outcome);
                activity.SetEndTime(time.GetUtcNow().UtcDateTime);
            }
        }
    }

    private Activity? StartOperation(string operation, string? key, NodeId? target, NetEndPoint? endPoint)
    {
        // StartActivity makes the span current; the caller's own current activity is put back at once, since the
        // span belongs to the operation on the loop, not to the code after this call.
        var callers = Activity.Current;
        var activity = DhtTracing.Source.StartActivity("dht." + operation, ActivityKind.Internal, default(ActivityContext), startTime: time.GetUtcNow());
        Activity.Current = callers;
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(TelemetryTags.Node, _node);
            activity.SetTag(TelemetryTags.Operation, operation);
            if (key is not null)
            {
                activity.SetTag(TelemetryTags.Key, key);
                target ??= NodeId.FromKey(key);
            }

            if (target is { } t)
            {
                activity.SetTag(TelemetryTags.Target, t.ToString());
            }

            if (endPoint is { } ep)
            {
                activity.SetTag(TelemetryTags.PeerAddress, ep.ToIPEndPoint().Address.ToString());
                activity.SetTag(TelemetryTags.PeerPort, (int)ep.Port);
            }
        }

        return activity;
    }

    private Activity? StartLookup(KrpcMethod method, NodeId target)
    {
        if (Activity.Current is { } current && current.Source != DhtTracing.Source)
        {
            Activity.Current = null; // not ours: see the note at the top (this async scope only)
        }

        var activity = DhtTracing.Source.StartActivity("dht.lookup", ActivityKind.Internal, default(ActivityContext), startTime: time.GetUtcNow());
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(TelemetryTags.Node, _node);
            activity.SetTag(TelemetryTags.Method, KrpcMethods.DisplayName(method));
            activity.SetTag(TelemetryTags.Target, target.ToString());
        }

        return activity;
    }

    // Runs on the loop, so every await comes back to it: the measurement ends where the operation does, and a
    // simulated node stays on its simulation's one thread even while someone listens.
    private async Task<T> ObserveAsync<T>(Func<Task<T>> body, string operation, Activity? activity, DateTimeOffset started)
        where T : IOperationResult
    {
        if (activity is not null)
        {
            Activity.Current = activity; // for this call's awaits only: an async method's changes end with it
        }

        string outcome = Outcomes.Error;
        try
        {
            var result = await body().ConfigureAwait(true);
            outcome = result.Outcome;
            if (activity is { IsAllDataRequested: true })
            {
                result.Describe(activity);
            }

            return result;
        }
        catch (OperationCanceledException)
        {
            outcome = Outcomes.Cancelled;
            throw;
        }
        catch (Exception e) when (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, e.Message);
            activity.SetTag(TelemetryTags.ErrorType, e.GetType().FullName);
            throw;
        }
        finally
        {
            var now = time.GetUtcNow();
            Metrics?.RecordOperation(operation, outcome, now - started);
            if (activity is not null)
            {
                activity.SetTag(TelemetryTags.Outcome, outcome);
                activity.SetEndTime(now.UtcDateTime);
                activity.Stop();
            }
        }
    }
}
