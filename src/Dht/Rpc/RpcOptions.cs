namespace Dht.Rpc;

/// <summary>
/// Timeouts and the memory of failures of <see cref="RpcManager"/>. A query's soft timeout is its destination's
/// retransmission timeout: for a contact the routing table has measured, RFC 6298's SRTT + max(margin, 4 RTTVAR);
/// for any other node the node-wide one, the longest of the last answers' round trips plus the margin
/// (<see cref="RoundTripWindow"/>), where the margin itself follows that longest round trip on fast links; before
/// enough answers, RFC 6298's initial timeout. The hard timeout is twice that, TCP's first back-off (RFC 6298 5.5).
/// Both are clamped between a floor and a ceiling.
/// </summary>
internal sealed record RpcOptions
{
    /// <summary>The defaults below, shared because the options are immutable.</summary>
    public static RpcOptions Default { get; } = new();

    /// <summary>
    /// The least margin above the expected round trip (RFC 6298's G), so the floor of the soft timeout. 5 ms: on
    /// a LAN or loopback the margin follows the pauses the node has actually seen (the longest of the last answers'
    /// round trips, see <see cref="MaxMargin"/>), and this floor covers the pauses it has not seen yet: a busy
    /// machine deschedules a process for milliseconds (a scheduler time slice is 1-4 ms), and a soft timeout that
    /// fires while the answer waits in our own socket leaves a live node out of a lookup. With a 1 ms floor,
    /// 20 nodes on one loaded 2-core machine missed one of their exact 8 closest in about 1 run of 15.
    /// </summary>
    public TimeSpan MinMargin { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// The most the margin grows from the node-wide round trips, and the margin before there are enough of them.
    /// 50 ms: it covers a responder's scheduling and garbage-collection pauses (tens of milliseconds). Between
    /// <see cref="MinMargin"/> and this, the margin is the longest of the last answers' round trips: where every
    /// answer of late came within a millisecond (a LAN, loopback), a node silent for a few more is far more
    /// likely gone than paused, and a departed node costs a lookup that, not 50 ms; where answers take tens of
    /// milliseconds (the Internet), it is this. 4 RTTVAR still raises it for a contact whose round trips vary.
    /// Linux holds TCP's margin to 200 ms (tcp_rto_min), which must also cover delayed ACKs (up to 200 ms, RFC
    /// 1122 4.2.3.2); KRPC answers at once. A soft timeout that fires early costs one spare query: the answer is
    /// still taken until the hard timeout, which is not scaled down (<see cref="HardFloor"/>).
    /// </summary>
    public TimeSpan MaxMargin { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// The timeout before any answer has been measured. 1 s: RFC 6298 (2.1); capped by the ceilings, so a fresh
    /// node waits 500 ms (soft) and 2 s (hard) for its first answer. From the first answer until
    /// <see cref="MinNodeWideSamples"/>, RFC 6298 (2.2) takes over: three times the longest round trip so far
    /// (SRTT = R and RTTVAR = R/2 give R + 4 RTTVAR) plus <see cref="MaxMargin"/>, since a few samples say little
    /// of the spread. A node that joins a network its bootstrap node answers from nearby then waits a departed
    /// contact's 500 ms hard floor, not 2 s.
    /// </summary>
    public TimeSpan Initial { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Answers needed before the node-wide estimate (the longest of them plus the margin) replaces RFC 6298's
    /// estimate from the first answers (<see cref="Initial"/>). 16: a quarter of the window, so
    /// that its longest is already above most round trips (about the 94th percentile); a joining node has that
    /// many answers before its first lookup is over.
    /// </summary>
    public int MinNodeWideSamples { get; init; } = 16;

    /// <summary>
    /// Longest soft timeout. 500 ms, after libtorrent's short timeout (DhtOptions.SoftTimeout): a node slower
    /// than that frees its lookup slot whatever its estimate, and its answer is still used if it comes in time.
    /// </summary>
    public TimeSpan SoftCeiling { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Shortest hard timeout. 500 ms: a failure replaces the node's contact and keeps our lookups away from it
    /// for a while, so a pause of the responder (a collection, a busy machine) must not pass for a departure;
    /// a departed node costs a lookup only its soft timeout.
    /// </summary>
    public TimeSpan HardFloor { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Longest hard timeout. 2 s (DhtOptions.QueryTimeout): the query timeout of webtorrent's bittorrent-dht and
    /// of pubky's mainline crate.
    /// </summary>
    public TimeSpan HardCeiling { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Nodes remembered as having failed us (<see cref="RecentFailures"/>). 256: the failures of several
    /// concurrent lookups (each sends at most 128 queries) in a network where a quarter of the nodes just left;
    /// the least recently changed entry goes first, and it is the one nearest to expiry anyway.
    /// </summary>
    public int FailureMemory { get; init; } = 256;

    /// <summary>
    /// How long our lookups leave a node alone after a failure. 1 minute, doubling with each failure in a row:
    /// a live node that lost one packet is back soon, while a departed node that others keep listing costs one
    /// soft timeout a minute at first and less and less often after.
    /// </summary>
    public TimeSpan AvoidFor { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The longest a node is left alone. 15 minutes: BEP 5's good window; a node silent that long is no longer
    /// "good" in any BEP 5 routing table, so nodes following BEP 5 have stopped handing it out.
    /// </summary>
    public TimeSpan MaxAvoidFor { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The timeouts of a query to a node with estimate <paramref name="destination"/>, falling back to the
    /// node-wide <paramref name="recent"/> round trips when the destination was never measured.
    /// </summary>
    public QueryTimeouts TimeoutsFor(in RoundTripEstimate destination, RoundTripWindow? recent)
    {
        bool nodeWide = recent is not null && recent.Count >= MinNodeWideSamples;
        var margin = !nodeWide ? MaxMargin
            : recent!.Max < MinMargin ? MinMargin
            : recent.Max > MaxMargin ? MaxMargin
            : recent.Max;
        var rto = destination.IsMeasured ? destination.Timeout(margin)
            : nodeWide ? recent!.Max + margin
            : recent is not null && recent.Count > 0 ? recent.Max * 3 + MaxMargin
            : Initial;
        var floor = HardFloor < HardCeiling ? HardFloor : HardCeiling;
        var hard = rto * 2;
        hard = hard < floor ? floor : hard > HardCeiling ? HardCeiling : hard;
        var soft = rto < SoftCeiling ? rto : SoftCeiling;
        return new QueryTimeouts(soft < hard ? soft : hard, hard);
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a value cannot work.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MinMargin, TimeSpan.Zero, nameof(MinMargin));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMargin, MinMargin, nameof(MaxMargin));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Initial, TimeSpan.Zero, nameof(Initial));
        ArgumentOutOfRangeException.ThrowIfLessThan(MinNodeWideSamples, 1, nameof(MinNodeWideSamples));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(SoftCeiling, TimeSpan.Zero, nameof(SoftCeiling));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HardFloor, TimeSpan.Zero, nameof(HardFloor));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HardCeiling, TimeSpan.Zero, nameof(HardCeiling));
        ArgumentOutOfRangeException.ThrowIfNegative(FailureMemory, nameof(FailureMemory));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(AvoidFor, TimeSpan.Zero, nameof(AvoidFor));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAvoidFor, AvoidFor, nameof(MaxAvoidFor));
    }
}
