using Dht.Crypto;
using Dht.Protocol;
using Dht.Tests.Loopback;

namespace Dht.Tests;

/// <summary>What the facade's results say: absent against unreachable, a value deleted or never there, a node not started.</summary>
public sealed class DhtNodeResultTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Reads_OnAStartedNodeThatKnowsNoOne_SayNoNodeAnswered()
    {
        using var cts = new CancellationTokenSource(Limit);
        await using var node = new DhtNode(LoopbackCluster.Options());
        await node.StartAsync(cts.Token);

        var get = await node.GetAsync("nobody-to-ask", cts.Token);
        var item = await node.GetImmutableAsync(NodeId.FromKey("nobody-to-ask"), cts.Token);

        Assert.Equal((ReadStatus.NoNodeAnswered, false, 0, 0), (get.Status, get.Found, get.NodesAsked, get.NodesAnswered));
        Assert.Equal((ReadStatus.NoNodeAnswered, false, 0), (item.Status, item.Found, item.NodesAnswered));
    }

    [Fact]
    public async Task Writes_OnAStartedNodeThatKnowsNoOne_AreKeptHere_AndAnnouncesSayNoNodeAnswered()
    {
        using var cts = new CancellationTokenSource(Limit);
        await using var node = new DhtNode(LoopbackCluster.Options());
        await node.StartAsync(cts.Token);

        var put = await node.PutAsync("nobody-to-tell", "v"u8.ToArray(), cts.Token);
        var item = await node.PutImmutableAsync("v"u8.ToArray(), cts.Token);
        var announce = await node.AnnounceAsync(NodeId.FromKey("swarm"), 6881, cts.Token);

        // A lone node is among the k closest to every key: it keeps its own copy, so the write is stored.
        Assert.Equal((WriteStatus.Stored, 0, 0, true), (put.Status, put.NodesReached, put.NodesStored, put.StoredLocally));
        Assert.Equal((WriteStatus.Stored, 0, true), (item.Status, item.NodesReached, item.StoredLocally));
        Assert.Equal((WriteStatus.NoNodeAnswered, 0), (announce.Status, announce.NodesReached));
    }

    [Fact]
    public async Task Reads_OfAKeyNobodyHolds_SayNotFound_WithTheNodesThatAnswered()
    {
        using var cts = new CancellationTokenSource(Limit);
        await using var cluster = await LoopbackCluster.StartAsync(3, cts.Token);

        var get = await cluster[2].GetAsync("never-stored", cts.Token);
        var item = await cluster[2].GetImmutableAsync(NodeId.FromKey("never-stored"), cts.Token);
        var signed = await cluster[2].GetMutableAsync(Ed25519KeyPair.Generate().PublicKey, "name"u8.ToArray(), cts.Token);

        Assert.Equal(ReadStatus.NotFound, get.Status);
        Assert.Equal(2, get.NodesAnswered);
        Assert.True(get.NodesAsked >= get.NodesAnswered);
        Assert.Equal((ReadStatus.NotFound, 2), (item.Status, item.NodesAnswered));
        Assert.Equal((ReadStatus.NotFound, 2), (signed.Status, signed.NodesAnswered));
    }

    [Fact]
    public async Task PutThenDeleteThenGet_SayStored_HadValue_Deleted()
    {
        using var cts = new CancellationTokenSource(Limit);
        await using var cluster = await LoopbackCluster.StartAsync(3, cts.Token);

        var put = await cluster[0].PutAsync("lifecycle", "v"u8.ToArray(), cts.Token);
        var delete = await cluster[1].DeleteAsync("lifecycle", cts.Token);
        var get = await cluster[2].GetAsync("lifecycle", cts.Token);
        var again = await cluster[1].DeleteAsync("lifecycle", cts.Token);

        Assert.Equal((WriteStatus.Stored, 2, false), (put.Status, put.NodesReached, put.HadValue));
        Assert.Equal((WriteStatus.Stored, true), (delete.Status, delete.HadValue));
        Assert.Equal((ReadStatus.Deleted, false), (get.Status, get.Found));
        Assert.False(again.HadValue); // the newest version was already a tombstone
    }

    [Fact]
    public async Task Delete_OfAKeyNobodyHeld_SaysSo()
    {
        using var cts = new CancellationTokenSource(Limit);
        await using var cluster = await LoopbackCluster.StartAsync(2, cts.Token);

        var delete = await cluster[1].DeleteAsync("never-held", cts.Token);

        Assert.Equal(WriteStatus.Stored, delete.Status); // the tombstone is stored all the same
        Assert.False(delete.HadValue);
    }

    [Fact]
    public async Task NetworkCalls_BeforeStartAsync_FailWithInvalidOperation()
    {
        await using var node = new DhtNode(LoopbackCluster.Options());

        var get = await Assert.ThrowsAsync<InvalidOperationException>(() => node.GetAsync("k"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => node.PutAsync("k", "v"u8.ToArray()));
        await Assert.ThrowsAsync<InvalidOperationException>(() => node.BootstrapAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() => node.PingAsync(NetEndPoint.Parse("127.0.0.1:1")));
        await Assert.ThrowsAsync<InvalidOperationException>(() => node.FindNodeAsync(NodeId.FromKey("k")));
        await Assert.ThrowsAsync<InvalidOperationException>(() => node.GetImmutableAsync(NodeId.FromKey("k")));
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var _ in node.GetPeersAsync(NodeId.FromKey("k")))
            {
            }
        });

        Assert.Contains("StartAsync", get.Message, StringComparison.Ordinal);
        Assert.Equal(0, node.GetStatus().Contacts); // what reads no network works before start
    }

    [Fact]
    public async Task LocalEndPoint_WithPortZero_IsTheBoundPort_AndPublicEndPointIsWhatOthersReport()
    {
        using var cts = new CancellationTokenSource(Limit);
        await using var cluster = await LoopbackCluster.StartAsync(5, cts.Token);
        var last = cluster[4];

        Assert.All(cluster.Nodes, n => Assert.NotEqual(0, n.LocalEndPoint.Port));
        Assert.Equal(cluster.Nodes.Count, cluster.Nodes.Select(n => n.LocalEndPoint.Port).Distinct().Count());
        Assert.Equal(NetEndPoint.Parse("127.0.0.1:" + last.LocalEndPoint.Port), last.LocalEndPoint);

        // It joined through four nodes, each answering with the address it saw (BEP 42): on loopback, the bound one.
        Assert.Equal(last.LocalEndPoint, last.PublicEndPoint);
        Assert.Equal(last.LocalEndPoint, (await last.GetStatusAsync()).PublicEndPoint);
    }

    [Fact]
    public async Task LocalEndPoint_OnTheWildcardAddress_IsAConcreteAddressOthersReachItAt()
    {
        using var cts = new CancellationTokenSource(Limit);
        var options = LoopbackCluster.Options();
        options.ListenAddress = System.Net.IPAddress.Any;
        await using var node = new DhtNode(options);
        await node.StartAsync(cts.Token);
        await using var asker = new DhtNode(options); // on loopback, the answer would come from 127.0.0.1, not the address asked
        await asker.StartAsync(cts.Token);

        var at = node.LocalEndPoint;
        var pong = await asker.PingAsync(at, cts.Token);

        Assert.False(at.IsUnusable, at.ToString());
        Assert.Equal(at, (await node.GetStatusAsync()).EndPoint);
        Assert.True(pong.Answered, $"no answer at {at}");
        Assert.Equal(node.Id, pong.NodeId);
    }

    [Fact]
    public async Task PublicEndPoint_BeforeAnyAnswer_IsNull()
    {
        await using var node = new DhtNode(LoopbackCluster.Options());
        await node.StartAsync();

        Assert.Null(node.PublicEndPoint);
    }
}
