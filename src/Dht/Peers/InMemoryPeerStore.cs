// The announced-peer store: info-hash -> peers that announced it (BEP 5 announce_peer / get_peers).
//
// Where it departs from a plain map:
// - Every dimension is capped (PeerStoreOptions): peers per info-hash, info-hashes, entries per source IP.
//   A full swarm drops its least recently announced peer for a new one. A full store drops the
//   info-hash with the fewest peers for a new one (libtorrent instead refuses the new info-hash; we
//   prefer to let new swarms in, and single-peer info-hashes are the cheapest to lose and to rebuild).
//   Among equally small info-hashes the victim is the one whose last announce or count change is oldest.
// - Eviction is O(1): info-hashes sit in one list per peer count, in the order they last changed, so the
//   victim is the head of the lowest non-empty list; no scan over all info-hashes under an announce flood.
// - get_peers answers a uniform random sample (reservoir sampling) when a swarm is larger than a reply.
// - Expiry is lazy for reads (expired peers are never returned) and explicit for memory (Expire).
//
// Not thread-safe: owned by the node's event loop. Time comes only from the callers' `now`.
using Dht.Protocol;

namespace Dht.Peers;

/// <summary>An <see cref="IPeerStore"/> in memory.</summary>
internal sealed class InMemoryPeerStore : IPeerStore
{
    private readonly PeerStoreOptions _options;
    private readonly long _lifetimeTicks;
    private readonly Dictionary<NodeId, PeerSwarm> _swarms = [];
    private readonly Dictionary<UInt128, int> _entriesPerAddress = [];

    // _bySize[n] lists the swarms holding exactly n peers, least recently changed first.
    private readonly LinkedList<PeerSwarm>?[] _bySize;
    private int _peerCount;

    public InMemoryPeerStore(PeerStoreOptions? options = null)
    {
        _options = options ?? new PeerStoreOptions();
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.PeerLifetime, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.MaxPeersPerInfoHash, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.MaxInfoHashes, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.MaxPeersPerSourceIp, nameof(options));
        _lifetimeTicks = _options.PeerLifetime.Ticks;
        _bySize = new LinkedList<PeerSwarm>?[_options.MaxPeersPerInfoHash + 1];
    }

    public int InfoHashCount => _swarms.Count;

    public int PeerCount => _peerCount;

    public PeerAnnounceResult Announce(NodeId infoHash, NetEndPoint peer, bool seed, DateTimeOffset now)
    {
        var entry = new PeerEntry(peer, now.UtcTicks, seed);
        _swarms.TryGetValue(infoHash, out var swarm);
        if (swarm is not null)
        {
            int index = swarm.IndexOf(peer);
            if (index >= 0)
            {
                swarm.Peers.RemoveAt(index);
                swarm.Peers.Add(entry);
                Relink(swarm);
                return PeerAnnounceResult.Refreshed;
            }
        }

        var addressKey = peer.AddressKey;
        _entriesPerAddress.TryGetValue(addressKey, out int fromAddress);
        if (fromAddress >= _options.MaxPeersPerSourceIp)
        {
            return PeerAnnounceResult.RejectedSourceLimit;
        }

        if (swarm is null)
        {
            if (_swarms.Count >= _options.MaxInfoHashes)
            {
                EvictSmallestSwarm();
            }

            swarm = new PeerSwarm(infoHash);
            _swarms.Add(infoHash, swarm);
        }
        else if (swarm.Peers.Count >= _options.MaxPeersPerInfoHash)
        {
            var oldest = swarm.Peers[0];
            swarm.Peers.RemoveAt(0);
            Forget(oldest.EndPoint);
        }

        swarm.Peers.Add(entry);
        _entriesPerAddress[addressKey] = fromAddress + 1;
        _peerCount++;
        Relink(swarm);
        return PeerAnnounceResult.Added;
    }

    public int GetPeers(NodeId infoHash, DateTimeOffset now, int max, Random random, List<NetEndPoint> into)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(into);
        if (max == 0 || !_swarms.TryGetValue(infoHash, out var swarm))
        {
            return 0;
        }

        long expiredAtOrBefore = now.UtcTicks - _lifetimeTicks;
        int start = into.Count;
        int seen = 0;
        var peers = swarm.Peers;
        for (int i = 0; i < peers.Count; i++)
        {
            var peer = peers[i];
            if (peer.AnnouncedTicks <= expiredAtOrBefore)
            {
                continue;
            }

            seen++;
            if (seen <= max)
            {
                into.Add(peer.EndPoint);
                continue;
            }

            // Reservoir sampling: after the loop every live peer is in the sample with probability max/seen.
            int slot = random.Next(seen);
            if (slot < max)
            {
                into[start + slot] = peer.EndPoint;
            }
        }

        return into.Count - start;
    }

    public void Expire(DateTimeOffset now)
    {
        long expiredAtOrBefore = now.UtcTicks - _lifetimeTicks;

        // Removing the current key while enumerating a Dictionary is allowed and keeps the enumeration valid.
        foreach (var swarm in _swarms.Values)
        {
            var peers = swarm.Peers;
            int kept = 0;
            for (int i = 0; i < peers.Count; i++)
            {
                var peer = peers[i];
                if (peer.AnnouncedTicks <= expiredAtOrBefore)
                {
                    Forget(peer.EndPoint);
                }
                else
                {
                    peers[kept++] = peer;
                }
            }

            if (kept == peers.Count)
            {
                continue;
            }

            peers.RemoveRange(kept, peers.Count - kept);
            if (kept == 0)
            {
                Unlink(swarm);
                _swarms.Remove(swarm.InfoHash);
            }
            else
            {
                Relink(swarm);
                if (peers.Capacity > 4 * kept && peers.Capacity > 16)
                {
                    peers.Capacity = kept; // give back what a burst of announces grew
                }
            }
        }
    }

    private void EvictSmallestSwarm()
    {
        for (int size = 1; size < _bySize.Length; size++)
        {
            var victim = _bySize[size]?.First?.Value;
            if (victim is null)
            {
                continue;
            }

            foreach (var peer in victim.Peers)
            {
                Forget(peer.EndPoint);
            }

            Unlink(victim);
            _swarms.Remove(victim.InfoHash);
            return;
        }
    }

    // Drops one stored entry from the totals and from its address's quota.
    private void Forget(NetEndPoint endPoint)
    {
        _peerCount--;
        var key = endPoint.AddressKey;
        int remaining = _entriesPerAddress[key] - 1;
        if (remaining == 0)
        {
            _entriesPerAddress.Remove(key);
        }
        else
        {
            _entriesPerAddress[key] = remaining;
        }
    }

    // Moves a swarm to the end of the list for its current size: it is now the most recently changed.
    private void Relink(PeerSwarm swarm)
    {
        Unlink(swarm);
        var list = _bySize[swarm.Peers.Count] ??= new LinkedList<PeerSwarm>();
        list.AddLast(swarm.EvictionNode);
    }

    private static void Unlink(PeerSwarm swarm) => swarm.EvictionNode.List?.Remove(swarm.EvictionNode);
}
