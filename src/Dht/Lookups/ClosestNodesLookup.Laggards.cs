// ClosestNodesLookup for a write: which waiting nodes are laggards, and the places they keep among the k closest
// when the lookup ends without them. A departure from the paper and from libp2p and libtorrent, whose lookups
// treat reads and writes alike: a write's lookup (LookupPurpose.Write: announce, BEP 44 put, named store) does not
// wait for a laggard until its soft timeout. A laggard is a node still within its soft timeout that α nodes asked
// no earlier than it have overtaken with their answers, or, once α nodes have answered, that has been silent twice
// as long as the slowest of them (a node asked last, which no later query can overtake; the node's timer wakes the
// lookup: WakeDeadline). When the lookup knows more than k nodes, a laggard stops holding it like a silent node
// and the nodes past it are asked, so the write starts at the speed of the live network. It still holds its place
// among the k closest (Laggards): the write goes to it when it answers, or to the next node that answered when it
// falls silent (Operations/LaggardPlaces), so the value ends on k nodes either way. On loopback a departed node's
// soft timeout is about 5 ms against answers in a tenth of that, so without this the first put after a departure
// took several times as long as the one before it. Overtaking takes no clock: the answers that overtake a node
// show that neither the network nor this process is what is slow, and the decision comes with the last of them
// rather than at a timer's next tick (a millisecond or more, several round trips on a fast link). A read still
// waits for a laggard until its soft timeout: its answer may hold the newest value, and a search returns the k
// closest responsive nodes.
using Dht.Protocol;

namespace Dht.Lookups;

internal sealed partial class ClosestNodesLookup
{
    /// <summary>Whether the lookup waits for laggards (a read) or ends without them (a write).</summary>
    public LookupPurpose Purpose { get; }

    /// <summary>
    /// A finished write's laggards that hold one of the k places (see the header), closest first: the k places are
    /// the k closest among the nodes that answered and these. The write goes at once to the first
    /// <see cref="AnsweredPlaces"/> of <see cref="Results"/>, and to each laggard that answers later; the rest of
    /// the results stand in, in order, for laggards that fall silent. Empty for a read.
    /// </summary>
    public IReadOnlyList<NodeInfo> Laggards => _laggards ?? [];

    /// <summary>How many of <see cref="Results"/> hold one of the k places beside <see cref="Laggards"/>: all of them without laggards.</summary>
    public int AnsweredPlaces => _laggards is null ? Results.Count : _answeredPlaces;

    // A write's laggard (above): overtaken by α answers, or silent past LagsAt.
    private bool IsLaggard(in LookupCandidate waiting, DateTimeOffset now)
    {
        if (LagsAt(waiting) is { } lagsAt && now >= lagsAt)
        {
            return true;
        }

        int overtaken = 0;
        foreach (ref readonly var other in _candidates.AsSpan())
        {
            if (other.State is LookupNodeState.Succeeded or LookupNodeState.Passed && other.SentAt >= waiting.SentAt
                && ++overtaken >= _options.Alpha)
            {
                return true;
            }
        }

        return false;
    }

    // When a waiting node has been silent LagFactor times the slowest answer so far; null before α answers.
    private DateTimeOffset? LagsAt(in LookupCandidate waiting) =>
        Responses >= _options.Alpha ? waiting.SentAt + (_slowestAnswer * LagFactor) : null;

    // Twice the slowest answer: a live node is rarely that much slower than every other node of the same lookup,
    // and one that is only keeps its place and is written to when it answers (Operations/LaggardPlaces).
    private const int LagFactor = 2;

    // The laggards among the k places, at the moment the lookup ends without them.
    private NodeInfo[] CollectLaggards(DateTimeOffset now)
    {
        List<NodeInfo> laggards = [];
        int places = 0;
        foreach (ref readonly var candidate in _candidates.AsSpan())
        {
            if (places == _options.K)
            {
                break;
            }

            if (candidate.State == LookupNodeState.Succeeded)
            {
                places++;
                _answeredPlaces++;
            }
            else if (candidate.State == LookupNodeState.Waiting && IsLaggard(candidate, now))
            {
                laggards.Add(candidate.Node);
                places++;
            }
        }

        return laggards.ToArray();
    }
}
