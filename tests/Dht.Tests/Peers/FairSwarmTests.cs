using Dht.Peers;
using Dht.Protocol;

namespace Dht.Tests.Peers;

/// <summary>
/// Per-source limits on announced peers: one address with many ports cannot flush a swarm's other peers,
/// and announces past the per-source cap are refused with an error the node sends.
/// </summary>
public sealed class FairSwarmTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly NodeId InfoHash = NodeId.FromKey("a swarm");
    private static readonly NetEndPoint Attacker = NetEndPoint.FromIPv4(0x0A0000FE, 6881);

    private static NetEndPoint Peer(int index) => NetEndPoint.FromIPv4(0x0A000000u + (uint)index, 6881);

    private static List<NetEndPoint> Get(IPeerStore store, DateTimeOffset now)
    {
        var peers = new List<NetEndPoint>();
        store.GetPeers(InfoHash, now, 100, new Random(1), peers);
        return peers;
    }

    [Fact]
    public void Announce_OneAddressWithManyPorts_DoesNotFlushTheSwarmsOtherPeers()
    {
        var store = new InMemoryPeerStore(new PeerStoreOptions { MaxPeersPerInfoHash = 10 });
        for (int i = 1; i <= 5; i++)
        {
            store.Announce(InfoHash, Peer(i), seed: false, Start);
        }

        for (int port = 0; port < 12; port++)
        {
            store.Announce(InfoHash, Attacker.WithPort((ushort)(7000 + port)), seed: false, Start.AddSeconds(port + 1));
        }

        var peers = Get(store, Start.AddMinutes(1));
        Assert.All(Enumerable.Range(1, 5), i => Assert.Contains(Peer(i), peers));
        Assert.Equal(5, peers.Count(p => p.SameAddress(Attacker)));
        Assert.Contains(Attacker.WithPort(7011), peers); // it churns its own entries, newest kept
    }

    [Fact]
    public void Announce_IntoAFullSwarmOfSingletons_DropsTheOldestPeer()
    {
        var store = new InMemoryPeerStore(new PeerStoreOptions { MaxPeersPerInfoHash = 3 });
        for (int i = 1; i <= 3; i++)
        {
            store.Announce(InfoHash, Peer(i), seed: false, Start.AddSeconds(i));
        }

        Assert.Equal(PeerAnnounceResult.Added, store.Announce(InfoHash, Peer(4), seed: false, Start.AddSeconds(4)));

        var peers = Get(store, Start.AddSeconds(4));
        Assert.Equal(3, peers.Count);
        Assert.DoesNotContain(Peer(1), peers);
    }

    [Fact]
    public void Announce_IntoAFullSwarm_TakesFromTheLargestOtherSource()
    {
        var store = new InMemoryPeerStore(new PeerStoreOptions { MaxPeersPerInfoHash = 4 });
        store.Announce(InfoHash, Peer(1), seed: false, Start);
        store.Announce(InfoHash, Attacker.WithPort(1), seed: false, Start.AddSeconds(1));
        store.Announce(InfoHash, Attacker.WithPort(2), seed: false, Start.AddSeconds(2));
        store.Announce(InfoHash, Attacker.WithPort(3), seed: false, Start.AddSeconds(3));

        store.Announce(InfoHash, Peer(2), seed: false, Start.AddSeconds(4));

        var peers = Get(store, Start.AddSeconds(4));
        Assert.Contains(Peer(1), peers);
        Assert.Contains(Peer(2), peers);
        Assert.DoesNotContain(Attacker.WithPort(1), peers);
    }

    [Fact]
    public void Announce_PastTheSourceCap_IsRefusedWithAKrpcError()
    {
        var store = new InMemoryPeerStore(new PeerStoreOptions { MaxPeersPerSourceIp = 2 });
        store.Announce(NodeId.FromKey("1"), Peer(1), seed: false, Start);
        store.Announce(NodeId.FromKey("2"), Peer(1), seed: false, Start);

        var refused = store.Announce(NodeId.FromKey("3"), Peer(1), seed: false, Start);

        Assert.Equal(PeerAnnounceResult.RejectedSourceLimit, refused);
        Assert.Equal(202, refused.ToKrpcErrorCode());
        Assert.Null(PeerAnnounceResult.Added.ToKrpcErrorCode());
        Assert.Null(PeerAnnounceResult.Refreshed.ToKrpcErrorCode());
    }

    [Fact]
    public void Announce_FromLoopback_CountsEachSendingPortAsASource()
    {
        var store = new InMemoryPeerStore(new PeerStoreOptions { MaxPeersPerSourceIp = 1 });
        var first = NetEndPoint.FromIPv4(0x7F000001, 40001);
        var second = NetEndPoint.FromIPv4(0x7F000001, 40002);

        Assert.Equal(PeerAnnounceResult.Added, store.Announce(NodeId.FromKey("1"), first.WithPort(6881), seed: false, Start, first));
        Assert.Equal(PeerAnnounceResult.RejectedSourceLimit, store.Announce(NodeId.FromKey("2"), first.WithPort(6882), seed: false, Start, first));
        Assert.Equal(PeerAnnounceResult.Added, store.Announce(NodeId.FromKey("2"), second.WithPort(6882), seed: false, Start, second));
    }

    [Fact]
    public void Announce_RefreshFromAnotherSender_StaysCountedWhereItWas()
    {
        var store = new InMemoryPeerStore(new PeerStoreOptions { MaxPeersPerSourceIp = 1 });
        var first = NetEndPoint.FromIPv4(0x7F000001, 40001);
        var second = NetEndPoint.FromIPv4(0x7F000001, 40002);
        var peer = first.WithPort(6881);
        store.Announce(InfoHash, peer, seed: false, Start, first);

        Assert.Equal(PeerAnnounceResult.Refreshed, store.Announce(InfoHash, peer, seed: true, Start.AddMinutes(1), second));

        Assert.Equal(PeerAnnounceResult.Added, store.Announce(NodeId.FromKey("other"), second.WithPort(6882), seed: false, Start, second));
        store.Expire(Start.AddMinutes(31)); // both gone: the counts come back to zero
        Assert.Equal(0, store.PeerCount);
        Assert.Equal(PeerAnnounceResult.Added, store.Announce(NodeId.FromKey("third"), first.WithPort(6883), seed: false, Start.AddMinutes(31), first));
    }
}
