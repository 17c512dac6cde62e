namespace Dht.Lookups;

/// <summary>Tuning of an iterative closest-nodes lookup. Every limit here is enforced by the lookup.</summary>
internal sealed class LookupOptions
{
    /// <summary>The defaults below, shared because the options are immutable.</summary>
    public static LookupOptions Default { get; } = new();

    /// <summary>
    /// Number of closest nodes the lookup must hear from before it is done. 8: the bucket size of BEP 5, so a
    /// lookup returns what a full bucket around the target would hold.
    /// </summary>
    public int K { get; init; } = 8;

    /// <summary>
    /// Queries in flight at once while the lookup still gets closer. 3: the paper's α (Maymounkov and Mazières,
    /// 2002). Slow nodes do not count against it once their soft timeout passes, which widens it in practice
    /// the way libtorrent's short timeout does.
    /// </summary>
    public int Alpha { get; init; } = 3;

    /// <summary>
    /// Nodes beyond the k closest not yet known to be silent that the lookup asks along with them. 1: when one of
    /// the k closest falls silent, the next node's answer is usually in already, so a lost packet costs the lookup
    /// the rest of that node's soft timeout rather than that and one more round trip. In the simulator (1,000
    /// nodes, 5 % loss) that took the median lookup from 1.27 to 1.14 times the lossless one, for 0.9 more
    /// queries per lookup (12.6 rather than 11.7). 0 is the paper's k.
    /// </summary>
    public int Spares { get; init; } = 1;

    /// <summary>
    /// Silence after which a queried node stops holding a parallel slot and the lookup, when no
    /// <see cref="ILookupAdvisor"/> gives per-query timeouts. 500 ms, after libtorrent's short timeout: most
    /// nodes that answer at all answer well within it, and one slow node must not hold up the search. Its
    /// answer is still used if it comes before <see cref="HardTimeout"/> and the lookup has not ended.
    /// </summary>
    public TimeSpan SoftTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Silence after which a queried node's answer no longer counts, when no <see cref="ILookupAdvisor"/> gives
    /// per-query timeouts. 2 s: the query timeout of webtorrent's bittorrent-dht and of pubky's mainline crate.
    /// </summary>
    public TimeSpan HardTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long past its soft timeout a silent node still holds a lookup that has fewer than k answers in all,
    /// as in a network of k nodes or fewer. 50 ms: the margin of a soft timeout on the Internet
    /// (RpcOptions.MaxMargin). On a fast link the soft timeout is a millisecond or a few, and in a small network
    /// every node is one of the few holders of each value, so a node that is only paused (a busy machine) must
    /// not be left out of a put for it; a departed one costs such a lookup this much more, once.
    /// </summary>
    public TimeSpan SmallNetworkGrace { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Most nodes kept that have not been asked yet; the farthest are dropped first. 64 (8 k): room for every
    /// node of a few full responses, while a hostile node that answers with hundreds of made-up contacts
    /// cannot grow a lookup's memory. Nodes already asked are bounded by <see cref="MaxQueries"/>.
    /// </summary>
    public int MaxCandidates { get; init; } = 64;

    /// <summary>
    /// Most queries one lookup sends. 128 (16 k): an honest lookup in a network of millions converges in a few
    /// dozen queries, so this only stops a lookup that hostile nodes lead astray from running forever.
    /// </summary>
    public int MaxQueries { get; init; } = 128;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a value cannot work.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(K, 1, nameof(K));
        ArgumentOutOfRangeException.ThrowIfLessThan(Alpha, 1, nameof(Alpha));
        ArgumentOutOfRangeException.ThrowIfNegative(Spares, nameof(Spares));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(SoftTimeout, TimeSpan.Zero, nameof(SoftTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(HardTimeout, SoftTimeout, nameof(HardTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(SmallNetworkGrace, TimeSpan.Zero, nameof(SmallNetworkGrace));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxCandidates, K, nameof(MaxCandidates));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueries, 1, nameof(MaxQueries));
    }
}
