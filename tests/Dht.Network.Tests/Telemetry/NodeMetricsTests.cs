using System.Diagnostics.Metrics;
using Dht.Tests.Loopback;

namespace Dht.Tests.Telemetry;

/// <summary>The meter "Dht": one per node with its id as a tag, units on every instrument, histograms of operations and lookups.</summary>
public sealed class NodeMetricsTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task EveryInstrument_HasItsUnit_AndEveryMeasurementNamesItsNode()
    {
        using var cts = new CancellationTokenSource(Limit);
        await using var cluster = await LoopbackCluster.StartAsync(3, cts.Token);
        using var metrics = new MetricsRecorder(cluster.Nodes);
        await cluster[2].PutAsync("metered", "v"u8.ToArray(), cts.Token);

        metrics.Observe();

        var units = metrics.Instruments.ToDictionary(i => i.Key, i => i.Value.Unit);
        Assert.Equal(new Dictionary<string, string?>
        {
            ["dht.queries.sent"] = "{query}",
            ["dht.queries.received"] = "{query}",
            ["dht.responses.received"] = "{response}",
            ["dht.queries.timed_out"] = "{query}",
            ["dht.errors.received"] = "{error}",
            ["dht.errors.sent"] = "{error}",
            ["dht.messages.invalid"] = "{datagram}",
            ["dht.responses.unmatched"] = "{datagram}",
            ["dht.queries.rate_limited"] = "{query}",
            ["dht.replies.over_budget"] = "{reply}",
            ["dht.storage.failures"] = "{store}",
            ["dht.datagrams.received"] = "{datagram}",
            ["dht.datagrams.sent"] = "{datagram}",
            ["dht.datagrams.dropped"] = "{datagram}",
            ["dht.loop.faults"] = "{fault}",
            ["dht.routing.contacts"] = "{contact}",
            ["dht.queries.pending"] = "{query}",
            ["dht.lookups.active"] = "{lookup}",
            ["dht.storage.entries"] = "{entry}",
            ["dht.storage.size"] = "By",
            ["dht.peers.announced"] = "{peer}",
            ["dht.peers.info_hashes"] = "{info_hash}",
            ["dht.operation.duration"] = "s",
            ["dht.lookup.rounds"] = "{round}",
            ["dht.lookup.queries"] = "{query}",
        }.OrderBy(p => p.Key), units.OrderBy(p => p.Key));
        Assert.All(metrics.Instruments.Values, i => Assert.False(string.IsNullOrEmpty(i.Description), i.Name));

        var ids = cluster.Nodes.Select(n => (string?)n.Id.ToString()).ToHashSet();
        Assert.All(metrics.Measurements, m => Assert.Contains(m.Tag("dht.node"), ids));
        Assert.Equal(ids, metrics.Of("dht.queries.sent").Select(m => m.Tag("dht.node")).ToHashSet());
        string putter = cluster[2].Id.ToString();
        Assert.Contains(metrics.Of("dht.queries.sent"), m => m.Tag("dht.method") == "store" && m.Tag("dht.node") == putter && m.Value == 2);
    }

    [Fact]
    public async Task StateCounts_AreTheLoopsPublishedCounts_PerNode()
    {
        using var cts = new CancellationTokenSource(Limit);
        await using var cluster = await LoopbackCluster.StartAsync(3, cts.Token);
        using var metrics = new MetricsRecorder(cluster.Nodes);
        await cluster[2].PutAsync("counted", "value"u8.ToArray(), cts.Token);
        await cluster[2].PutImmutableAsync("item"u8.ToArray(), cts.Token);
        await cluster[0].AnnounceAsync(Protocol.NodeId.FromKey("swarm"), 6881, cts.Token);

        metrics.Observe();

        string last = cluster[2].Id.ToString();
        var contacts = metrics.Of("dht.routing.contacts").Where(m => m.Tag("dht.node") == last).ToList();
        Assert.Equal(["bad", "good", "questionable"], contacts.Select(m => m.Tag("dht.contact.state")).Order());
        Assert.Equal((await cluster[2].GetStatusAsync()).Contacts, contacts.Sum(m => m.Value));

        // The put went to the two other nodes; each holds one value and one item, and their bytes.
        var holders = cluster.Nodes.Take(2).Select(n => n.Id.ToString()).ToHashSet();
        var entries = metrics.Of("dht.storage.entries").Where(m => holders.Contains(m.Tag("dht.node")!)).ToList();
        Assert.All(entries, m => Assert.Equal(1, m.Value));
        Assert.Equal(4, entries.Count);
        var sizes = metrics.Of("dht.storage.size").Where(m => holders.Contains(m.Tag("dht.node")!)).ToList();
        Assert.Equal(4, sizes.Count);
        Assert.All(sizes, m => Assert.InRange(m.Value, 4, 100));
        Assert.Equal(2, metrics.Of("dht.peers.announced").Sum(m => m.Value));
        Assert.Equal(2, metrics.Of("dht.peers.info_hashes").Sum(m => m.Value));
        Assert.All(metrics.Of("dht.queries.pending"), m => Assert.True(m.Value >= 0));
    }

    [Fact]
    public async Task Operations_AreTimedByOperationAndOutcome_AndLookupsByMethod()
    {
        using var cts = new CancellationTokenSource(Limit);
        await using var cluster = await LoopbackCluster.StartAsync(3, cts.Token);
        using var metrics = new MetricsRecorder(cluster.Nodes);
        await using var alone = new DhtNode(LoopbackCluster.Options());
        await alone.StartAsync(cts.Token);
        using var aloneMetrics = new MetricsRecorder([alone]);

        await cluster[2].PutAsync("timed", "v"u8.ToArray(), cts.Token);
        await cluster[1].GetAsync("timed", cts.Token);
        await cluster[1].GetAsync("absent", cts.Token);
        await cluster[1].PingAsync(cluster[0].LocalEndPoint, cts.Token);
        await cluster[1].FindNodeAsync(cluster[0].Id, cts.Token);
        await alone.GetAsync("timed", cts.Token);

        var durations = metrics.Of("dht.operation.duration").Select(m => (m.Tag("dht.operation"), m.Tag("dht.outcome"))).ToList();
        Assert.Contains(("put", "stored"), durations);
        Assert.Contains(("get", "found"), durations);
        Assert.Contains(("get", "not_found"), durations);
        Assert.Contains(("ping", "answered"), durations);
        Assert.Contains(("find_node", "answered"), durations);
        Assert.All(metrics.Of("dht.operation.duration"), m => Assert.InRange(m.Value, 0, Limit.TotalSeconds));
        Assert.Equal([("get", "no_node_answered")], aloneMetrics.Of("dht.operation.duration").Select(m => (m.Tag("dht.operation"), m.Tag("dht.outcome"))));

        var rounds = metrics.Of("dht.lookup.rounds").ToList();
        Assert.Contains(rounds, m => m.Tag("dht.method") == "find_value");
        Assert.Contains(rounds, m => m.Tag("dht.method") == "find_node");
        Assert.All(metrics.Of("dht.lookup.queries"), m => Assert.InRange(m.Value, 1, 64));
        Assert.Equal([0d], aloneMetrics.Of("dht.lookup.queries").Select(m => m.Value)); // asked no one
    }

    [Fact]
    public async Task WithAMeterFactory_TheMeterIsTheFactorys_AndStopsReportingWhenTheNodeStops()
    {
        using var cts = new CancellationTokenSource(Limit);
        using var factory = new TestMeterFactory();
        var cluster = await LoopbackCluster.StartAsync(2, cts.Token, factory);
        using var metrics = new MetricsRecorder(cluster.Nodes);
        try
        {
            Assert.Equal(2, factory.Created.Count);
            Assert.All(metrics.Instruments.Values, i => Assert.Contains(i.Meter, factory.Created));
            Assert.All(factory.Created, m => Assert.Same(factory, m.Scope));
        }
        finally
        {
            await cluster.DisposeAsync();
        }

        metrics.Measurements.Clear();
        metrics.Observe();

        Assert.Empty(metrics.Measurements); // the factory's meters live on, but a stopped node reports nothing
        Assert.Empty(metrics.Completed); // and the node did not dispose a meter it does not own
    }

    [Fact]
    public async Task WithoutAMeterFactory_TheNodesOwnMeterEndsWithIt()
    {
        var node = new DhtNode(LoopbackCluster.Options());
        using var metrics = new MetricsRecorder([node]);
        int instruments = metrics.Instruments.Count;

        await node.DisposeAsync();

        Assert.Equal(instruments, metrics.Completed.Count);
    }

    /// <summary>A host's meter factory, as dependency injection gives one: meters scoped to it, disposed with it.</summary>
    private sealed class TestMeterFactory : IMeterFactory
    {
        public List<Meter> Created { get; } = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, this);
            lock (Created)
            {
                Created.Add(meter);
            }

            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in Created)
            {
                meter.Dispose();
            }
        }
    }
}
