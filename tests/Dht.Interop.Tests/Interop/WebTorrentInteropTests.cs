using System.Net;
using Dht.Protocol;

namespace Dht.Tests.Interop;

/// <summary>Our node and webtorrent's bittorrent-dht, on 127.0.0.1, each bootstrapping from the other.</summary>
public sealed class WebTorrentInteropTests
{
    private static DhtOptions Loopback(params IPEndPoint[] bootstrap)
    {
        var options = new DhtOptions { Port = 0, ListenAddress = IPAddress.Loopback };
        foreach (var b in bootstrap)
        {
            options.BootstrapNodes.Add(NetEndPoint.FromIPEndPoint(b));
        }

        return options;
    }

    [Fact]
    public async Task OurNodeAndBittorrentDht_BootstrapPingFindNodeAndAnnounceEachOther()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = cts.Token;

        // Theirs first; ours bootstraps from it.
        await using var theirs = await WebTorrentPeer.StartAsync(FreeUdpPort.Next(), [], ct);
        var theirEndPoint = new IPEndPoint(IPAddress.Loopback, theirs.Port);
        await using var ours = new DhtNode(Loopback(theirEndPoint));
        await ours.StartAsync(ct);
        var joined = await ours.BootstrapAsync(ct);
        Assert.Equal(1, joined.BootstrapNodesReached);

        // A second implementation node bootstraps from ours.
        var ourEndPoint = ours.LocalEndPoint.ToIPEndPoint();
        await using var theirs2 = await WebTorrentPeer.StartAsync(FreeUdpPort.Next(), [ourEndPoint], ct);
        Assert.True(await theirs2.BootstrapAsync(ct) >= 1, "bittorrent-dht could not bootstrap from our node");

        // Each pings the other.
        var pong = await ours.PingAsync(NetEndPoint.FromIPEndPoint(theirEndPoint), ct);
        Assert.True(pong.Answered);
        Assert.Equal(theirs.Id, pong.NodeId?.ToString());
        var theirPong = await theirs2.PingAsync(ourEndPoint, ct);
        Assert.Equal(ours.Id.ToString(), theirPong.NodeId);

        // Each find_nodes the other's id.
        var found = await ours.FindNodeAsync(NodeId.Parse(theirs2.Id), ct);
        Assert.Contains(found.ClosestNodes, n => n.Id.ToString() == theirs2.Id);
        var theirFound = await theirs.FindNodeAsync(ours.Id.ToString(), ct);
        Assert.Contains(theirFound, n => n.Id == ours.Id.ToString());

        // An announce by ours is found by their get_peers, and the other way round.
        var infoHash = NodeId.FromKey("interop-ours");
        var announced = await ours.AnnounceAsync(infoHash, 51413, ct);
        Assert.True(announced.NodesAccepted >= 1, "no bittorrent-dht node accepted our announce");
        var peers = await theirs2.GetPeersAsync(infoHash.ToString(), ct);
        Assert.Contains(peers.Peers, p => p.Port == 51413);

        var theirHash = NodeId.FromKey("interop-theirs");
        Assert.True(await theirs.AnnounceAsync(theirHash.ToString(), 6999, ct) >= 1, "bittorrent-dht's announce reached no node");
        List<NetEndPoint> ourPeers = [];
        await foreach (var p in ours.GetPeersAsync(theirHash, ct))
        {
            ourPeers.Add(p);
        }

        Assert.Contains(ourPeers, p => p.Port == 6999);
    }
}
