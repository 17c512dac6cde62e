// A node's instruments in the meter "Dht" (README, "Metrics and tracing"). The meter comes from the host's
// IMeterFactory when there is one (so the host's metrics pipeline and its tests see it), else the node makes
// its own; either way it carries the node's id as a tag, and so does every measurement, so that the nodes of
// one process stay apart whatever an exporter does with meter tags.
//
// Nothing here runs on the datagram path: the traffic counters are the plain fields of NodeCounters, read by
// observable counters when a collector asks; the state counts are NodeGauges, which the loop publishes; only
// the histograms are recorded as things happen, once per operation or lookup, and only when a listener
// enabled them. A meter from a factory lives as long as the factory, so after DisposeAsync the callbacks
// report nothing rather than a stopped node's last counts.
using System.Diagnostics.Metrics;
using Dht.Engine;
using Dht.Protocol;
using Dht.Protocol.Krpc;

namespace Dht.Telemetry;

/// <summary>The instruments of one node.</summary>
internal sealed class NodeMetrics : IDisposable
{
    private static readonly KrpcMethod[] Methods = KrpcMethods.All;

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly NodeGauges _gauges;
    private readonly KeyValuePair<string, object?> _node;
    private readonly KeyValuePair<string, object?>[][] _byMethod;
    private readonly Histogram<double> _operationDuration;
    private readonly Histogram<int> _lookupRounds;
    private readonly Histogram<int> _lookupQueries;
    private volatile bool _closed;

    /// <param name="nodeId">The node's id, the <c>dht.node</c> tag.</param>
    /// <param name="counters">The node's traffic counters.</param>
    /// <param name="gauges">The counts its loop publishes.</param>
    /// <param name="meterFactory">Makes the meter (a host's); null: the node makes and disposes its own.</param>
    public NodeMetrics(NodeId nodeId, NodeCounters counters, NodeGauges gauges, IMeterFactory? meterFactory)
    {
        _gauges = gauges;
        _node = new(TelemetryTags.Node, nodeId.ToString());
        _byMethod = [.. Methods.Select(m => new[] { _node, new KeyValuePair<string, object?>(TelemetryTags.Method, KrpcMethods.DisplayName(m)) })];
        var options = new MeterOptions(DhtNode.MeterName)
        {
            Version = typeof(NodeMetrics).Assembly.GetName().Version?.ToString(),
            Tags = [_node],
        };
        _meter = meterFactory?.Create(options) ?? new Meter(options);
        _ownsMeter = meterFactory is null;

        var c = counters;
        PerMethod("dht.queries.sent", "{query}", "Queries this node sent, by method", () => c.QueriesSentByMethod);
        PerMethod("dht.queries.received", "{query}", "Queries this node received, by method", () => c.QueriesReceivedByMethod);
        PerMethod("dht.responses.received", "{response}", "Responses to this node's queries, by method", () => c.ResponsesReceivedByMethod);
        PerMethod("dht.queries.timed_out", "{query}", "Queries of this node that got no answer in time, by method", () => c.TimeoutsByMethod);
        PerMethod("dht.errors.received", "{error}", "KRPC errors answering this node's queries, by method", () => c.ErrorsReceivedByMethod);
        Counter("dht.errors.sent", "{error}", "KRPC errors this node sent", () => c.ErrorsSent);
        Counter("dht.messages.invalid", "{datagram}", "Datagrams that failed to decode or validate", () => c.InvalidMessages);
        Counter("dht.responses.unmatched", "{datagram}", "Responses matching no query of ours (late, spoofed or from the wrong address)", () => c.UnmatchedResponses);
        Counter("dht.queries.rate_limited", "{query}", "Queries dropped by the per-address rate limit", () => c.RateLimited);
        Counter("dht.replies.over_budget", "{reply}", "Replies not sent because the source's reply-byte budget was spent", () => c.RepliesOverBudget);
        Counter("dht.storage.failures", "{store}", "Stores answered with KRPC error 202 because the durable write failed", () => c.StorageFailures);
        Counter("dht.datagrams.received", "{datagram}", "Datagrams received", () => c.DatagramsReceived);
        Counter("dht.datagrams.sent", "{datagram}", "Datagrams sent", () => c.DatagramsSent);
        Counter("dht.datagrams.dropped", "{datagram}", "Datagrams dropped on arrival because the node's busy loop had its most waiting", () => c.DatagramsDropped);
        Counter("dht.loop.faults", "{fault}", "Pieces of work on the node's loop that threw (each logged)", () => c.LoopFaults);

        var g = gauges;
        _meter.CreateObservableUpDownCounter("dht.routing.contacts", ObserveContacts, "{contact}", "Contacts in the routing table, by BEP 5 state");
        Count("dht.queries.pending", "{query}", "Queries of this node awaiting an answer", () => g.PendingQueries);
        Count("dht.lookups.active", "{lookup}", "Iterative lookups running", () => g.ActiveLookups);
        _meter.CreateObservableUpDownCounter("dht.storage.entries", () => PerStore(g.NamedValues, g.Items), "{entry}",
            "Entries held for the network: named values (tombstones included) and BEP 44 items");
        _meter.CreateObservableUpDownCounter("dht.storage.size", () => PerStore(g.NamedValueBytes, g.ItemBytes), "By",
            "Bytes of the values held for the network, by store");
        Count("dht.peers.announced", "{peer}", "Peers announced to this node (BEP 5), all info-hashes together", () => g.Peers);
        Count("dht.peers.info_hashes", "{info_hash}", "Info-hashes this node holds announced peers for", () => g.InfoHashes);

        _operationDuration = _meter.CreateHistogram("dht.operation.duration", "s", "Duration of the application's operations, by operation and outcome",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _lookupRounds = _meter.CreateHistogram("dht.lookup.rounds", "{round}", "Hops of each iterative lookup: how far from its first contacts the results were found",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20] });
        _lookupQueries = _meter.CreateHistogram("dht.lookup.queries", "{query}", "Queries each iterative lookup sent",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512] });
    }

    /// <summary>True when a listener takes <c>dht.operation.duration</c>.</summary>
    public bool RecordsOperations => _operationDuration.Enabled;

    /// <summary>True when a listener takes <c>dht.lookup.rounds</c> or <c>dht.lookup.queries</c>.</summary>
    public bool RecordsLookups => _lookupRounds.Enabled || _lookupQueries.Enabled;

    public void RecordOperation(string operation, string outcome, TimeSpan duration) =>
        _operationDuration.Record(
            Math.Max(0, duration.TotalSeconds), _node, new(TelemetryTags.Operation, operation), new(TelemetryTags.Outcome, outcome));

    public void RecordLookup(KrpcMethod method, int rounds, int queries)
    {
        var methodTag = new KeyValuePair<string, object?>(TelemetryTags.Method, KrpcMethods.DisplayName(method));
        _lookupRounds.Record(rounds, _node, methodTag);
        _lookupQueries.Record(queries, _node, methodTag);
    }

    /// <summary>Stops reporting (the node stopped); disposes the meter unless a factory made it.</summary>
    public void Dispose()
    {
        _closed = true;
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private void PerMethod(string name, string unit, string description, Func<long[]> values) =>
        _meter.CreateObservableCounter(name, () =>
        {
            if (_closed)
            {
                return [];
            }

            var counts = values();
            var measurements = new Measurement<long>[Methods.Length];
            for (int i = 0; i < Methods.Length; i++)
            {
                measurements[i] = new Measurement<long>(counts[(int)Methods[i]], _byMethod[i]);
            }

            return measurements;
        }, unit, description);

    private void Counter(string name, string unit, string description, Func<long> value) =>
        _meter.CreateObservableCounter(name, () => Single(value()), unit, description);

    private void Count(string name, string unit, string description, Func<long> value) =>
        _meter.CreateObservableUpDownCounter(name, () => Single(value()), unit, description);

    private Measurement<long>[] Single(long value) => _closed ? [] : [new Measurement<long>(value, _node)];

    private Measurement<long>[] ObserveContacts()
    {
        if (_closed)
        {
            return [];
        }

        // Published at different moments, so the difference is kept from going below zero.
        int good = _gauges.GoodContacts, questionable = _gauges.QuestionableContacts;
        int bad = Math.Max(0, _gauges.Contacts - good - questionable);
        return
        [
            new(good, _node, new(TelemetryTags.ContactState, "good")),
            new(questionable, _node, new(TelemetryTags.ContactState, "questionable")),
            new(bad, _node, new(TelemetryTags.ContactState, "bad")),
        ];
    }

    private Measurement<long>[] PerStore(long namedValues, long items) =>
        _closed
            ? []
            :
            [
                new(namedValues, _node, new(TelemetryTags.Store, "named_value")),
                new(items, _node, new(TelemetryTags.Store, "item")),
            ];
}
