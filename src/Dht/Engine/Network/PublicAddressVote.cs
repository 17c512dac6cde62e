// Where the network sees us: BEP 42 has every response carry the requester's address as the responder saw
// it (the "ip" key). Behind a NAT that is the public address and port, which the bound socket cannot know.
// One node could lie, so the address counts only when more than half of the last 16 nodes that told us one
// agree, and at least 3 do; each node has one vote (its latest; a node is an address, or on loopback an address and port), kept in a ring, so the cost per answer is
// one pass over 16 entries and no allocation. Only answers to our own queries vote (the RPC manager has
// matched them to a query we sent to that address).
using Dht.Protocol;

namespace Dht.Engine.Network;

/// <summary>A bounded majority vote over the addresses that responders report for us. Used on the loop only.</summary>
internal sealed class PublicAddressVote
{
    /// <summary>Votes kept: the latest from each of this many responders.</summary>
    public const int Voters = 16;

    /// <summary>The fewest agreeing votes that settle the address.</summary>
    public const int Quorum = 3;

    private readonly (NetEndPoint Voter, NetEndPoint Seen)[] _votes = new (NetEndPoint, NetEndPoint)[Voters];
    private int _filled;
    private int _next;
    private NetEndPoint? _winner;

    /// <summary>The address the majority reports; null until one has it.</summary>
    public NetEndPoint? Winner => _winner;

    /// <summary>Records that <paramref name="voter"/> saw us at <paramref name="seen"/>; true when the winner changed.</summary>
    public bool Add(NetEndPoint voter, NetEndPoint seen)
    {
        int slot = -1;
        int agreeing = 0;
        for (int i = 0; i < _filled; i++)
        {
            if (SameVoter(_votes[i].Voter, voter))
            {
                slot = i;
            }
        }

        if (slot < 0)
        {
            slot = _next;
            _next = (_next + 1) % Voters;
            _filled = Math.Min(_filled + 1, Voters);
        }

        _votes[slot] = (voter, seen);
        for (int i = 0; i < _filled; i++)
        {
            if (_votes[i].Seen == seen)
            {
                agreeing++;
            }
        }

        if (agreeing < Quorum || agreeing * 2 <= _filled || _winner == seen)
        {
            return false;
        }

        _winner = seen;
        return true;
    }

    // A voter is an address; on loopback, where every local node shares one, an address and port (as storage quotas count sources).
    private static bool SameVoter(NetEndPoint a, NetEndPoint b) => a.IsLoopback ? a == b : a.SameAddress(b);
}
