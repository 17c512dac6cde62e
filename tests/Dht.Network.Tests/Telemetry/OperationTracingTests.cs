using System.Collections.Concurrent;
using System.Diagnostics;
using Dht.Protocol;
using Dht.Tests.Loopback;

namespace Dht.Tests.Telemetry;

/// <summary>The activity source "Dht": a span per operation and per lookup, with what it asked and what it came to.</summary>
public sealed class OperationTracingTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public OperationTracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == DhtNode.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task Put_HasASpan_WithItsKeyAndCounts_AndItsLookupAsAChild()
    {
        using var cts = new CancellationTokenSource(Limit);
        await using var cluster = await LoopbackCluster.StartAsync(3, cts.Token);

        var put = await cluster[2].PutAsync("traced", "v"u8.ToArray(), cts.Token);

        var span = Assert.Single(Spans(cluster[2], "dht.put"));
        Assert.Equal("traced", span.GetTagItem("dht.key"));
        Assert.Equal(NodeId.FromKey("traced").ToString(), span.GetTagItem("dht.target"));
        Assert.Equal(cluster[2].Id.ToString(), span.GetTagItem("dht.node"));
        Assert.Equal("stored", span.GetTagItem("dht.outcome"));
        Assert.Equal(put.NodesReached, span.GetTagItem("dht.nodes.reached"));
        Assert.Equal(put.NodesAsked, span.GetTagItem("dht.nodes.asked"));
        Assert.Equal(put.NodesStored, span.GetTagItem("dht.nodes.stored"));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);

        var lookup = Assert.Single(Spans(cluster[2], "dht.lookup"), l => l.ParentSpanId == span.SpanId);
        Assert.Equal(span.TraceId, lookup.TraceId);
        Assert.Equal("find_value", lookup.GetTagItem("dht.method"));
        Assert.Equal(NodeId.FromKey("traced").ToString(), lookup.GetTagItem("dht.target"));
        Assert.Equal(2, lookup.GetTagItem("dht.nodes.answered"));
        Assert.IsType<int>(lookup.GetTagItem("dht.lookup.rounds"));
        Assert.Equal("answered", lookup.GetTagItem("dht.outcome"));
    }

    [Fact]
    public async Task AnOperationsSpan_IsAChildOfTheCallersActivity_WhichStaysCurrent()
    {
        using var cts = new CancellationTokenSource(Limit);
        await using var cluster = await LoopbackCluster.StartAsync(2, cts.Token);
        using var caller = new Activity("caller").Start();

        var got = await cluster[1].GetAsync("absent", cts.Token);

        Assert.Same(caller, Activity.Current);
        var span = Assert.Single(Spans(cluster[1], "dht.get"));
        Assert.Equal(caller.SpanId, span.ParentSpanId);
        Assert.Equal("not_found", span.GetTagItem("dht.outcome"));
        Assert.Equal(got.NodesAnswered, span.GetTagItem("dht.nodes.answered"));
    }

    [Fact]
    public async Task EachOperation_IsNamedAfterIt_AndSaysWhatItCameTo()
    {
        using var cts = new CancellationTokenSource(Limit);
        await using var cluster = await LoopbackCluster.StartAsync(3, cts.Token);
        var node = cluster[2];
        var infoHash = NodeId.FromKey("swarm");

        await node.BootstrapAsync(cts.Token);
        await node.PingAsync(cluster[0].LocalEndPoint, cts.Token);
        await node.FindNodeAsync(cluster[0].Id, cts.Token);
        await node.AnnounceAsync(infoHash, 6881, cts.Token);
        await foreach (var _ in cluster[1].GetPeersAsync(infoHash, cts.Token))
        {
        }

        var item = await node.PutImmutableAsync("item"u8.ToArray(), cts.Token);
        await node.GetImmutableAsync(item.Target, cts.Token);
        await node.DeleteAsync("never-there", cts.Token);

        Assert.All(Spans(node, "dht.bootstrap"), b => Assert.Equal("answered", b.GetTagItem("dht.outcome"))); // joining, then again
        var ping = Assert.Single(Spans(node, "dht.ping"));
        Assert.Equal(("answered", "127.0.0.1", (int)cluster[0].LocalEndPoint.Port),
            (ping.GetTagItem("dht.outcome"), ping.GetTagItem("network.peer.address"), ping.GetTagItem("network.peer.port")));
        Assert.Equal(cluster[0].Id.ToString(), Assert.Single(Spans(node, "dht.find_node")).GetTagItem("dht.target"));
        Assert.Equal("stored", Assert.Single(Spans(node, "dht.announce")).GetTagItem("dht.outcome"));
        var peers = Assert.Single(Spans(cluster[1], "dht.get_peers"));
        Assert.Equal(("found", 1), (peers.GetTagItem("dht.outcome"), peers.GetTagItem("dht.peers")));
        Assert.Equal("stored", Assert.Single(Spans(node, "dht.put_item")).GetTagItem("dht.outcome"));
        var get = Assert.Single(Spans(node, "dht.get_item"));
        Assert.Equal((item.Target.ToString(), "found"), (get.GetTagItem("dht.target"), get.GetTagItem("dht.outcome")));
        Assert.Equal("stored", Assert.Single(Spans(node, "dht.delete")).GetTagItem("dht.outcome"));
        Assert.Contains(Spans(node, "dht.lookup"), l => (string?)l.GetTagItem("dht.method") == "get_peers");
    }

    [Fact]
    public async Task AGet_ThatReachedNoOne_SaysSo()
    {
        await using var node = new DhtNode(LoopbackCluster.Options());
        await node.StartAsync();

        await node.GetAsync("k");

        var span = Assert.Single(Spans(node, "dht.get"));
        Assert.Equal(("no_node_answered", 0, 0), (span.GetTagItem("dht.outcome"), span.GetTagItem("dht.nodes.asked"), span.GetTagItem("dht.nodes.answered")));
        Assert.Equal("no_node_answered", Assert.Single(Spans(node, "dht.lookup")).GetTagItem("dht.outcome"));
    }

    [Fact]
    public async Task AFailedCall_EndsItsSpanAsAnError()
    {
        await using var node = new DhtNode(LoopbackCluster.Options());

        await Assert.ThrowsAsync<InvalidOperationException>(() => node.PutAsync("k", "v"u8.ToArray()));

        var span = Assert.Single(Spans(node, "dht.put"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(("error", typeof(InvalidOperationException).FullName), (span.GetTagItem("dht.outcome"), span.GetTagItem("error.type")));
    }

    private List<Activity> Spans(DhtNode node, string name) =>
        [.. _stopped.Where(a => a.OperationName == name && (string?)a.GetTagItem("dht.node") == node.Id.ToString())];
}
