// The announced-peer store: info-hash -> peers that announced it (BEP 5 announce_peer / get_peers).
//
// Where it departs from a plain map:
// - Every dimension is capped (PeerStoreOptions): peers per info-hash, info-hashes, entries per source. An
//   announce past the per-source cap is refused, and the caller answers it with an error, not "ok". A
//   source is the announce's sender: its address, or on loopback its address and port (SourceKey), so that
//   tests on one machine see distinct sources as a real network would.
// - A full swarm makes room fairly: it drops the least recently announced peer of the source holding the
//   most peers in that swarm, counting the newcomer, and when that is the newcomer's own source (ties
//   included) it drops the newcomer's own oldest. One address announcing many ports thus churns only its
//   own entries and never flushes a swarm's other peers, which dropping the least recently announced peer
//   of the whole swarm would let it do. When every source holds one peer, the oldest goes. The scan covers
//   one swarm (at most MaxPeersPerInfoHash entries), and only when it is full.
// - A full store drops the info-hash with the fewest peers for a new one (libtorrent instead refuses the
//   new info-hash; we prefer to let new swarms in, and single-peer info-hashes are the cheapest to lose and
//   to rebuild). Among equally small info-hashes the victim is the one whose last announce or count change
//   is oldest.
// - Eviction is O(1): info-hashes sit in one list per peer count, in the order they last changed, so the
//   victim is the head of the lowest non-empty list; no scan over all info-hashes under an announce flood.
// - get_peers answers a uniform random sample (reservoir sampling) when a swarm is larger than a reply.
// - Expiry is lazy for reads (expired peers are never returned) and explicit for memory (Expire).
//
// Not thread-safe: owned by the node's event loop. Time comes only from the callers' `now`.
using Dht.Protocol;
using Dht.Storage;

namespace Dht.Peers;

/// <summary>An <see cref="IPeerStore"/> in memory.</summary>
internal sealed class InMemoryPeerStore : IPeerStore
{
    private readonly PeerStoreOptions _options;
    private readonly long _lifetimeTicks;
    private readonly Dictionary<NodeId, PeerSwarm> _swarms = [];
    private readonly Dictionary<NetEndPoint, int> _entriesPerSource = [];
    private readonly Dictionary<NetEndPoint, int> _swarmCounts = [];

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

    public PeerAnnounceResult Announce(NodeId infoHash, NetEndPoint peer, bool seed, DateTimeOffset now, NetEndPoint source = default)
    {
        var sourceKey = SourceKey.Of(source.IsEmpty ? peer : source);
        var entry = new PeerEntry(peer, now.UtcTicks, seed, sourceKey);
        _swarms.TryGetValue(infoHash, out var swarm);
        if (swarm is not null)
        {
            int index = swarm.IndexOf(peer);
            if (index >= 0)
            {
                var held = swarm.Peers[index];
                swarm.Peers.RemoveAt(index);
                swarm.Peers.Add(entry with { Source = held.Source }); // the entry stays counted where it was
                Relink(swarm);
                return PeerAnnounceResult.Refreshed;
            }
        }

        _entriesPerSource.TryGetValue(sourceKey, out int fromSource);
        if (fromSource >= _options.MaxPeersPerSourceIp)
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
            int victim = VictimFor(swarm, sourceKey);
            var evicted = swarm.Peers[victim];
            swarm.Peers.RemoveAt(victim);
            Forget(evicted.Source);
            fromSource = _entriesPerSource.GetValueOrDefault(sourceKey);
        }

        swarm.Peers.Add(entry);
        _entriesPerSource[sourceKey] = fromSource + 1;
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
                    Forget(peer.Source);
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
                Forget(peer.Source);
            }

            Unlink(victim);
            _swarms.Remove(victim.InfoHash);
            return;
        }
    }

    // The index of the peer a full swarm drops for a newcomer from `newcomer` (see the file header).
    private int VictimFor(PeerSwarm swarm, NetEndPoint newcomer)
    {
        var peers = swarm.Peers;
        _swarmCounts.Clear();
        foreach (var peer in peers)
        {
            _swarmCounts[peer.Source] = _swarmCounts.GetValueOrDefault(peer.Source) + 1;
        }

        int own = _swarmCounts.GetValueOrDefault(newcomer);
        int mostOther = 0;
        foreach (var (source, count) in _swarmCounts)
        {
            if (source != newcomer && count > mostOther)
            {
                mostOther = count;
            }
        }

        // Ties go against the newcomer: it may only trade its own entries once it is as large as anyone.
        bool ownOldest = own > 0 && own + 1 >= mostOther;
        for (int i = 0; i < peers.Count; i++)
        {
            var source = peers[i].Source;
            if (ownOldest ? source == newcomer : source != newcomer && _swarmCounts[source] == mostOther)
            {
                return i;
            }
        }

        return 0; // unreachable: the swarm is full, so one of the two searches finds a peer
    }

    // Drops one stored entry from the totals and from its source's quota.
    private void Forget(NetEndPoint source)
    {
        _peerCount--;
        int remaining = _entriesPerSource[source] - 1;
        if (remaining == 0)
        {
            _entriesPerSource.Remove(source);
        }
        else
        {
            _entriesPerSource[source] = remaining;
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
