using Dht.Peers;
using Dht.Protocol;

namespace Dht.Tests.Peers;

public sealed class InMemoryPeerStoreTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly NodeId InfoHash = NodeId.FromKey("an info-hash");
    private static readonly NodeId OtherHash = NodeId.FromKey("another info-hash");
    private static readonly TimeSpan Lifetime = new PeerStoreOptions().PeerLifetime;

    // A distinct address per index (10.0.x.y), so per-IP limits do not interfere unless a test wants them to.
    private static NetEndPoint Peer(int index, ushort port = 6881) => NetEndPoint.FromIPv4(0x0A000000u + (uint)index, port);

    private static NodeId Hash(int index) => NodeId.FromKey($"info-hash {index}");

    private static List<NetEndPoint> Get(IPeerStore store, NodeId infoHash, DateTimeOffset now, int max = 50, int seed = 1)
    {
        var peers = new List<NetEndPoint>();
        store.GetPeers(infoHash, now, max, new Random(seed), peers);
        return peers;
    }

    [Fact]
    public void Announce_ThenGetPeers_ReturnsThePeer()
    {
        var store = new InMemoryPeerStore();

        Assert.Equal(PeerAnnounceResult.Added, store.Announce(InfoHash, Peer(1), seed: false, Start));

        Assert.Equal([Peer(1)], Get(store, InfoHash, Start));
        Assert.Empty(Get(store, OtherHash, Start));
        Assert.Equal(1, store.InfoHashCount);
        Assert.Equal(1, store.PeerCount);
    }

    [Fact]
    public void Announce_SameAddressOtherPort_IsAnotherPeer()
    {
        var store = new InMemoryPeerStore();
        store.Announce(InfoHash, Peer(1, 6881), seed: false, Start);
        store.Announce(InfoHash, Peer(1, 6882), seed: false, Start);

        Assert.Equal(2, store.PeerCount);
        Assert.Equal(2, Get(store, InfoHash, Start).Count);
    }

    [Fact]
    public void Announce_SamePeerAgain_RefreshesWithoutDuplicating()
    {
        var store = new InMemoryPeerStore();
        store.Announce(InfoHash, Peer(1), seed: false, Start);

        Assert.Equal(PeerAnnounceResult.Refreshed, store.Announce(InfoHash, Peer(1), seed: true, Start.AddMinutes(1)));

        Assert.Equal(1, store.PeerCount);
        Assert.Equal([Peer(1)], Get(store, InfoHash, Start.AddMinutes(1)));
    }

    [Fact]
    public void GetPeers_AtTheEndOfTheLifetime_NoLongerReturnsThePeer()
    {
        var store = new InMemoryPeerStore();
        store.Announce(InfoHash, Peer(1), seed: false, Start);

        Assert.Single(Get(store, InfoHash, Start + Lifetime - TimeSpan.FromSeconds(1)));
        Assert.Empty(Get(store, InfoHash, Start + Lifetime));
    }

    [Fact]
    public void Refresh_ExtendsTheLifetime()
    {
        var store = new InMemoryPeerStore();
        store.Announce(InfoHash, Peer(1), seed: false, Start);
        store.Announce(InfoHash, Peer(1), seed: false, Start.AddMinutes(20));

        Assert.Single(Get(store, InfoHash, Start.AddMinutes(45)));
        store.Expire(Start.AddMinutes(45));
        Assert.Equal(1, store.PeerCount);
        Assert.Empty(Get(store, InfoHash, Start.AddMinutes(50)));
    }

    [Fact]
    public void Expire_AfterThirtyMinutes_RemovesPeersAndEmptyInfoHashes()
    {
        var store = new InMemoryPeerStore();
        store.Announce(InfoHash, Peer(1), seed: false, Start);
        store.Announce(InfoHash, Peer(2), seed: false, Start.AddMinutes(10));
        store.Announce(OtherHash, Peer(3), seed: false, Start);

        store.Expire(Start.AddMinutes(30));

        Assert.Equal(1, store.InfoHashCount);
        Assert.Equal(1, store.PeerCount);
        Assert.Equal([Peer(2)], Get(store, InfoHash, Start.AddMinutes(30)));

        store.Expire(Start.AddMinutes(40));

        Assert.Equal(0, store.InfoHashCount);
        Assert.Equal(0, store.PeerCount);
    }

    [Fact]
    public void Expire_BeforeTheLifetime_KeepsEverything()
    {
        var store = new InMemoryPeerStore();
        store.Announce(InfoHash, Peer(1), seed: false, Start);

        store.Expire(Start + Lifetime - TimeSpan.FromTicks(1));

        Assert.Equal(1, store.PeerCount);
    }

    [Fact]
    public void Announce_IntoAFullSwarm_DropsTheLeastRecentlyAnnouncedPeer()
    {
        var store = new InMemoryPeerStore(new PeerStoreOptions { MaxPeersPerInfoHash = 3 });
        store.Announce(InfoHash, Peer(1), seed: false, Start);
        store.Announce(InfoHash, Peer(2), seed: false, Start.AddMinutes(1));
        store.Announce(InfoHash, Peer(3), seed: false, Start.AddMinutes(2));
        store.Announce(InfoHash, Peer(1), seed: false, Start.AddMinutes(3)); // refresh: 2 is now the oldest

        Assert.Equal(PeerAnnounceResult.Added, store.Announce(InfoHash, Peer(4), seed: false, Start.AddMinutes(4)));

        var peers = Get(store, InfoHash, Start.AddMinutes(4));
        Assert.Equal(3, store.PeerCount);
        Assert.Equal(3, peers.Count);
        Assert.DoesNotContain(Peer(2), peers);
    }

    [Fact]
    public void Announce_NewInfoHashIntoAFullStore_EvictsTheInfoHashWithTheFewestPeers()
    {
        var store = new InMemoryPeerStore(new PeerStoreOptions { MaxInfoHashes = 3 });
        store.Announce(Hash(1), Peer(1), seed: false, Start);
        store.Announce(Hash(1), Peer(2), seed: false, Start);
        store.Announce(Hash(2), Peer(3), seed: false, Start);
        store.Announce(Hash(3), Peer(4), seed: false, Start);
        store.Announce(Hash(3), Peer(5), seed: false, Start);

        store.Announce(Hash(4), Peer(6), seed: false, Start.AddMinutes(1));

        Assert.Equal(3, store.InfoHashCount);
        Assert.Equal(5, store.PeerCount);
        Assert.Empty(Get(store, Hash(2), Start.AddMinutes(1)));
        Assert.Equal(2, Get(store, Hash(1), Start.AddMinutes(1)).Count);
        Assert.Equal(2, Get(store, Hash(3), Start.AddMinutes(1)).Count);
        Assert.Single(Get(store, Hash(4), Start.AddMinutes(1)));
    }

    [Fact]
    public void Announce_NewInfoHashIntoAFullStore_AmongEquallySmallEvictsTheLeastRecentlyAnnounced()
    {
        var store = new InMemoryPeerStore(new PeerStoreOptions { MaxInfoHashes = 3 });
        store.Announce(Hash(1), Peer(1), seed: false, Start);
        store.Announce(Hash(2), Peer(2), seed: false, Start.AddMinutes(1));
        store.Announce(Hash(3), Peer(3), seed: false, Start.AddMinutes(2));
        store.Announce(Hash(1), Peer(1), seed: false, Start.AddMinutes(3)); // refresh: hash 2 is now the oldest

        store.Announce(Hash(4), Peer(4), seed: false, Start.AddMinutes(4));

        Assert.Empty(Get(store, Hash(2), Start.AddMinutes(4)));
        Assert.Single(Get(store, Hash(1), Start.AddMinutes(4)));
        Assert.Single(Get(store, Hash(3), Start.AddMinutes(4)));
        Assert.Single(Get(store, Hash(4), Start.AddMinutes(4)));
    }

    [Fact]
    public void Announce_BeyondThePerAddressLimit_IsRejected()
    {
        var store = new InMemoryPeerStore(new PeerStoreOptions { MaxPeersPerSourceIp = 2 });
        store.Announce(Hash(1), Peer(1, 1000), seed: false, Start);
        store.Announce(Hash(2), Peer(1, 1001), seed: false, Start);

        Assert.Equal(PeerAnnounceResult.RejectedSourceLimit, store.Announce(Hash(3), Peer(1, 1002), seed: false, Start));
        Assert.Equal(PeerAnnounceResult.Refreshed, store.Announce(Hash(1), Peer(1, 1000), seed: false, Start));
        Assert.Equal(PeerAnnounceResult.Added, store.Announce(Hash(3), Peer(2, 1002), seed: false, Start));
        Assert.Equal(3, store.PeerCount);
        Assert.Equal(3, store.InfoHashCount);
    }

    [Fact]
    public void PerAddressLimit_FreesUpWhenPeersExpire()
    {
        var store = new InMemoryPeerStore(new PeerStoreOptions { MaxPeersPerSourceIp = 1 });
        store.Announce(Hash(1), Peer(1, 1000), seed: false, Start);
        Assert.Equal(PeerAnnounceResult.RejectedSourceLimit, store.Announce(Hash(2), Peer(1, 1001), seed: false, Start));

        store.Expire(Start + Lifetime);

        Assert.Equal(PeerAnnounceResult.Added, store.Announce(Hash(2), Peer(1, 1001), seed: false, Start + Lifetime));
    }

    [Fact]
    public void PerAddressLimit_FreesUpWhenASwarmDropsThePeerOrIsEvicted()
    {
        var store = new InMemoryPeerStore(new PeerStoreOptions
        {
            MaxPeersPerSourceIp = 1,
            MaxPeersPerInfoHash = 1,
            MaxInfoHashes = 1,
        });
        store.Announce(Hash(1), Peer(1), seed: false, Start);
        store.Announce(Hash(1), Peer(2), seed: false, Start); // replaces peer 1 in the full swarm

        Assert.Equal(PeerAnnounceResult.Added, store.Announce(Hash(2), Peer(1), seed: false, Start)); // evicts hash 1
        Assert.Equal(PeerAnnounceResult.Added, store.Announce(Hash(2), Peer(2), seed: false, Start)); // peer 2 was freed with hash 1
        Assert.Equal(1, store.InfoHashCount);
        Assert.Equal(1, store.PeerCount);
    }

    [Fact]
    public void GetPeers_FromALargeSwarm_ReturnsAtMostMaxDistinctLivePeers()
    {
        var store = new InMemoryPeerStore();
        for (int i = 0; i < 200; i++)
        {
            store.Announce(InfoHash, Peer(i), seed: false, Start.AddSeconds(i));
        }

        var peers = Get(store, InfoHash, Start.AddSeconds(200), max: 50);

        Assert.Equal(50, peers.Count);
        Assert.Equal(50, peers.Distinct().Count());
    }

    [Fact]
    public void GetPeers_WithTheSameSeed_IsDeterministic()
    {
        var store = new InMemoryPeerStore();
        for (int i = 0; i < 200; i++)
        {
            store.Announce(InfoHash, Peer(i), seed: false, Start);
        }

        Assert.Equal(Get(store, InfoHash, Start, max: 20, seed: 42), Get(store, InfoHash, Start, max: 20, seed: 42));
        Assert.NotEqual(Get(store, InfoHash, Start, max: 20, seed: 42), Get(store, InfoHash, Start, max: 20, seed: 43));
    }

    [Fact]
    public void GetPeers_Sampling_ReachesEveryPeer()
    {
        var store = new InMemoryPeerStore();
        for (int i = 0; i < 100; i++)
        {
            store.Announce(InfoHash, Peer(i), seed: false, Start);
        }

        var random = new Random(5);
        var seen = new HashSet<NetEndPoint>();
        var peers = new List<NetEndPoint>();
        for (int round = 0; round < 50; round++)
        {
            peers.Clear();
            store.GetPeers(InfoHash, Start, 10, random, peers);
            seen.UnionWith(peers);
        }

        Assert.Equal(100, seen.Count);
    }

    [Fact]
    public void GetPeers_SkipsExpiredPeersWhenSampling()
    {
        var store = new InMemoryPeerStore();
        for (int i = 0; i < 100; i++)
        {
            store.Announce(InfoHash, Peer(i), seed: false, i < 90 ? Start : Start.AddMinutes(20));
        }

        var peers = Get(store, InfoHash, Start.AddMinutes(35), max: 50);

        Assert.Equal(10, peers.Count);
        Assert.All(peers, p => Assert.True(p.IPv4 >= 0x0A000000u + 90));
    }

    [Fact]
    public void GetPeers_AppendsToTheListAndReturnsTheCountAdded()
    {
        var store = new InMemoryPeerStore();
        store.Announce(InfoHash, Peer(1), seed: false, Start);
        store.Announce(InfoHash, Peer(2), seed: false, Start);
        var into = new List<NetEndPoint> { Peer(99) };

        int added = store.GetPeers(InfoHash, Start, 50, new Random(1), into);

        Assert.Equal(2, added);
        Assert.Equal(3, into.Count);
        Assert.Equal(Peer(99), into[0]);
    }

    [Fact]
    public void GetPeers_WithMaxZero_ReturnsNothing()
    {
        var store = new InMemoryPeerStore();
        store.Announce(InfoHash, Peer(1), seed: false, Start);

        Assert.Empty(Get(store, InfoHash, Start, max: 0));
    }

    [Fact]
    public void Caps_UnderAFloodOfAnnounces_HoldAndCountsStayConsistent()
    {
        var options = new PeerStoreOptions { MaxInfoHashes = 50, MaxPeersPerInfoHash = 20, MaxPeersPerSourceIp = 30 };
        var store = new InMemoryPeerStore(options);
        var random = new Random(1234);
        var now = Start;
        for (int i = 0; i < 20_000; i++)
        {
            now += TimeSpan.FromMilliseconds(random.Next(0, 500));
            store.Announce(Hash(random.Next(200)), Peer(random.Next(300), (ushort)random.Next(1, 4)), seed: false, now);
            if (i % 1000 == 0)
            {
                store.Expire(now);
            }

            Assert.True(store.InfoHashCount <= options.MaxInfoHashes);
            Assert.True(store.PeerCount <= options.MaxInfoHashes * options.MaxPeersPerInfoHash);
        }

        int total = 0;
        for (int h = 0; h < 200; h++)
        {
            total += Get(store, Hash(h), now, max: int.MaxValue).Count;
        }

        store.Expire(now);
        Assert.Equal(store.PeerCount, total);
        store.Expire(now + Lifetime);
        Assert.Equal(0, store.PeerCount);
        Assert.Equal(0, store.InfoHashCount);
    }

    [Fact]
    public void Constructor_WithNonPositiveLimit_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryPeerStore(new PeerStoreOptions { MaxInfoHashes = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryPeerStore(new PeerStoreOptions { PeerLifetime = TimeSpan.Zero }));
    }
}
