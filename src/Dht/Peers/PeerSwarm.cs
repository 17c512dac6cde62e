using Dht.Protocol;

namespace Dht.Peers;

/// <summary>The stored peers of one info-hash, least recently announced first.</summary>
internal sealed class PeerSwarm
{
    public PeerSwarm(NodeId infoHash)
    {
        InfoHash = infoHash;
        EvictionNode = new LinkedListNode<PeerSwarm>(this);
    }

    public NodeId InfoHash { get; }

    /// <summary>Ordered by <see cref="PeerEntry.AnnouncedTicks"/>: a refresh moves an entry to the end.</summary>
    public List<PeerEntry> Peers { get; } = [];

    /// <summary>This swarm's place in the store's eviction lists (one list per peer count), reused for life.</summary>
    public LinkedListNode<PeerSwarm> EvictionNode { get; }

    public int IndexOf(NetEndPoint endPoint)
    {
        var peers = Peers;
        for (int i = 0; i < peers.Count; i++)
        {
            if (peers[i].EndPoint == endPoint)
            {
                return i;
            }
        }

        return -1;
    }
}
