// The iterative closest-nodes lookup behind every search of the node (find_node, get_peers, BEP 44 get,
// find_value, bootstrap and bucket refresh), as a sans-IO state machine: it never reads a clock or touches a
// socket. A runner asks Next(now) what to do, sends the queries it is told to, and feeds back answers and
// failures. The shape follows rust-libp2p's ClosestPeersIter; the timeouts follow libtorrent and TCP.
//
// Where it departs from the paper (Maymounkov and Mazières, 2002) and from those models:
// - No lock-step rounds: a new query goes out as soon as a slot frees, as in libp2p and libtorrent. Rounds
//   are measured afterwards as hop depth (see Rounds).
// - The paper's termination ("if a round returns nothing closer, query all of the k closest not yet
//   queried") is libp2p's stall: after α answers in a row that bring nothing closer, up to max(k + spares, α)
//   queries may be in flight, until an answer brings a closer node again.
// - Each query has its own timeouts, from its destination's measured round trips (ILookupAdvisor; fixed ones
//   from LookupOptions without an advisor). A node silent past its soft timeout frees its slot (libtorrent's
//   short timeout) and, as in libp2p, no longer holds the lookup: the lookup ends once the k closest nodes
//   that answered or are still within their soft timeout have all answered. Unlike libp2p, its answer is
//   still taken until its hard timeout if the lookup has not ended by then. (libtorrent waits for such a
//   node until its hard timeout; so did this lookup, which made one departed node among the k closest cost
//   every search 2 s.) The result is therefore the k closest *responsive* nodes: a live node that loses a
//   packet may be left out of it, in exchange for searches that run at the speed of the live network.
//   Short of k answers in all, though, unresponsive nodes still hold the lookup until their hard timeout
//   while they are at least as many as the nodes that answered: when every node stalls at once (a busy
//   machine), giving up at the soft timeout would end the search with too few nodes, or none. Once most
//   nodes asked have answered, as in a network of k nodes or fewer that a node has just left, the silent
//   ones are taken for departed: otherwise every newcomer to such a network (a piped shell that joins, works
//   and leaves) waits its hard timeout for each shell that left before it, since the live nodes still list
//   those. They are taken for departed only LookupOptions.SmallNetworkGrace (50 ms) after their soft timeout,
//   though, which on a fast link is a millisecond or a few: in a network that small a node that was only
//   paused (a busy machine) is one of the few holders of each value. The nodes that failed are then avoided
//   (below), so a departure costs each node once.
// - A write's lookup (LookupPurpose.Write) does not wait even for a silent node's soft timeout when others
//   overtook it: it keeps the node's place among the k closest instead (ClosestNodesLookup.Laggards.cs).
// - Silent nodes do not count among the k closest, so the lookup queries past them (libtorrent), yet never
//   beyond those k and LookupOptions.Spares more (the paper: k), so the stall does not spend queries on nodes
//   that cannot make the result. The spare is asked with the k closest, so that when one of them turns out
//   silent the next answer is already in: a lost packet then costs the rest of that node's soft timeout, not
//   that plus another round trip.
// - A node that failed us recently (the advisor remembers) is never asked, however many answers list it: a
//   node that has just left stays in other nodes' tables for minutes.
// - A lookup may seek only some nodes (named values: those that serve the extension): an answer that does not
//   count (OnResponse's `counts`) only adds its nodes, and the lookup goes on to the k closest that count.
// - Every resource is bounded (LookupOptions.MaxCandidates, MaxQueries) against hostile answers.
using Dht.Protocol;
using Dht.Rpc;

namespace Dht.Lookups;

/// <summary>Finds the k nodes closest to a target that answer, by iterative parallel queries.</summary>
internal sealed partial class ClosestNodesLookup
{
    private readonly LookupOptions _options;
    private readonly ILookupAdvisor? _advisor;

    private readonly LookupCandidateList _candidates;

    private ExcludedIds _excluded;
    private int _notContacted;
    private int _inFlight; // Waiting: the queries that hold a parallel slot, the only ones with a deadline to watch
    private DateTimeOffset _nextDeadline = DateTimeOffset.MaxValue; // the earliest soft deadline among them
    private bool _deadlineStale;
    private int _noProgress;
    private bool _stalled;
    private NodeInfo[]? _finalResults;
    private int _finalRounds;
    private NodeInfo[]? _laggards;
    private int _answeredPlaces;
    private TimeSpan _slowestAnswer; // the longest round trip among the answers to this lookup

    /// <summary>
    /// Starts a lookup for <paramref name="target"/> from <paramref name="seeds"/> (usually the closest nodes
    /// of the routing table). Seeds with unusable endpoints and duplicate ids are dropped; beyond
    /// <see cref="LookupOptions.MaxCandidates"/> the farthest are dropped. <paramref name="advisor"/> gives each
    /// query its timeouts and names the nodes to avoid; without it every query gets
    /// <see cref="LookupOptions.SoftTimeout"/> and <see cref="LookupOptions.HardTimeout"/>.
    /// </summary>
    public ClosestNodesLookup(
        NodeId target, IEnumerable<NodeInfo> seeds, LookupOptions options, ILookupAdvisor? advisor = null, LookupPurpose purpose = LookupPurpose.Read)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Target = target;
        Purpose = purpose;
        _options = options;
        _advisor = advisor;
        _candidates = new LookupCandidateList(target, Math.Min(options.MaxCandidates, 4 * options.K));
        foreach (var seed in seeds)
        {
            TryAdd(seed, 0, out _);
        }
    }

    /// <summary>The id whose closest nodes are sought.</summary>
    public NodeId Target { get; }

    /// <summary>
    /// True once <see cref="Next"/> has returned <see cref="LookupStepKind.Finished"/> or <see cref="Finish"/>
    /// was called. An answer alone never finishes the lookup: the next call to <see cref="Next"/> does.
    /// </summary>
    public bool IsFinished { get; private set; }

    /// <summary>
    /// After a <see cref="LookupStepKind.Waiting"/> step: when a silent node next stops holding the lookup though no
    /// query's timeout falls then (the end of a small network's <see cref="LookupOptions.SmallNetworkGrace"/>, or a
    /// write's node silent long enough to lag), or <see cref="DateTimeOffset.MaxValue"/>. The runner calls
    /// <see cref="Next"/> again at that time itself.
    /// </summary>
    public DateTimeOffset WakeDeadline { get; private set; } = DateTimeOffset.MaxValue;

    /// <summary>Queries handed out by <see cref="Next"/>.</summary>
    public int QueriesSent { get; private set; }

    /// <summary>Answers accepted (late answers after the soft timeout included).</summary>
    public int Responses { get; private set; }

    /// <summary>Answers accepted from nodes that count among the k closest (see <see cref="OnResponse"/>).</summary>
    public int CountedResponses { get; private set; }

    /// <summary>Queries that failed: reported by <see cref="OnFailure"/>, or answered at or after their hard timeout.</summary>
    public int Failures { get; private set; }

    /// <summary>Nodes left unasked because the advisor said they failed us recently.</summary>
    public int Avoided { get; private set; }

    /// <summary>Queries that hold a parallel slot now (soft timeout not yet passed).</summary>
    public int InFlight => _inFlight;

    /// <summary>Nodes the lookup currently knows, whatever their state.</summary>
    public int CandidateCount => _candidates.Count;

    /// <summary>
    /// True while the last answers brought nothing closer, so up to max(k + spares, α) queries may be in flight
    /// to finish off the k closest.
    /// </summary>
    public bool IsStalled => _stalled;

    /// <summary>
    /// The k closest nodes that answered, closest first (fewer if fewer answered). Fixed once the lookup is
    /// finished; while it runs, each read builds a new list.
    /// </summary>
    public IReadOnlyList<NodeInfo> Results => _finalResults ?? CollectResults(out _);

    /// <summary>
    /// Hop count of the search: the greatest depth among <see cref="Results"/>, where seeds have depth 0 and a
    /// node first learned from an answer of a depth-d node has depth d + 1 (the smallest such d while the node
    /// was not yet asked). 0 when the seeds themselves were the closest, or nothing answered; the number of
    /// round trips on the longest chain that led to the result is <c>Rounds + 1</c>.
    /// </summary>
    public int Rounds
    {
        get
        {
            if (_finalResults is not null)
            {
                return _finalRounds;
            }

            CollectResults(out int rounds);
            return rounds;
        }
    }

    /// <summary>
    /// Never query <paramref name="id"/> and ignore it in answers (the caller passes its own id). A node with
    /// that id already known but not yet asked is forgotten; one already asked keeps its state.
    /// </summary>
    public void Exclude(NodeId id)
    {
        if (!_excluded.Add(id))
        {
            return;
        }

        int index = _candidates.IndexOf(id);
        if (index >= 0 && _candidates.AsSpan()[index].State == LookupNodeState.NotContacted)
        {
            _candidates.RemoveAt(index);
            _notContacted--;
        }
    }

    /// <summary>
    /// Applies timeouts due at <paramref name="now"/> and says what to do: query a node, wait, or stop.
    /// After a <see cref="LookupStepKind.Query"/> call again at once, since more slots may be free.
    /// </summary>
    public LookupStep Next(DateTimeOffset now)
    {
        if (IsFinished)
        {
            return LookupStep.Finished;
        }

        if (_inFlight > 0 && (_deadlineStale || now >= _nextDeadline))
        {
            ApplyTimeouts(now);
        }

        int window = _options.K + _options.Spares; // the nodes that may be asked or waited for at once
        int parallelism = _stalled ? Math.Max(window, _options.Alpha) : _options.Alpha;
        bool mayQuery = QueriesSent < _options.MaxQueries;
        bool slotFree = mayQuery && _inFlight < parallelism;
        // Then a silent node still holds the lookup until its hard timeout.
        bool shortOfK = CountedResponses < _options.K && CountedResponses <= SilentWithinHardTimeout(now);
        bool fewAnswers = CountedResponses < _options.K;
        // More nodes known than places: a laggard's place can go to another node (not so in a network of k or fewer).
        bool passesLaggards = Purpose == LookupPurpose.Write && _candidates.Count > _options.K;
        var wakeAt = _nextDeadline;
        WakeDeadline = DateTimeOffset.MaxValue;
        bool unsettled = false; // something among the k closest may still change the result
        int answered = 0;
        int covered = 0; // answered, or asked and still within the soft timeout
        bool laggards = false;
        var span = _candidates.AsSpan();
        for (int i = 0; i < span.Length; i++)
        {
            ref var candidate = ref span[i];
            switch (candidate.State)
            {
                case LookupNodeState.Succeeded:
                    answered++;
                    covered++;
                    break;
                case LookupNodeState.Waiting when passesLaggards && IsLaggard(candidate, now):
                    laggards = true; // neither covered nor holding the lookup: the nodes past it are asked, as after a soft timeout
                    break;
                case LookupNodeState.Waiting:
                    covered++;
                    unsettled = true;
                    if (passesLaggards && LagsAt(candidate) is { } lagsAt && lagsAt < WakeDeadline)
                    {
                        WakeDeadline = lagsAt;
                        wakeAt = lagsAt < wakeAt ? lagsAt : wakeAt;
                    }

                    break;
                case LookupNodeState.Unresponsive when shortOfK && now < candidate.HardDeadline:
                    unsettled = true;
                    if (candidate.HardDeadline < wakeAt)
                    {
                        wakeAt = candidate.HardDeadline;
                    }

                    break;
                case LookupNodeState.Unresponsive when fewAnswers && now < candidate.SoftDeadline + _options.SmallNetworkGrace:
                    unsettled = true;
                    var graceEnds = candidate.SoftDeadline + _options.SmallNetworkGrace;
                    WakeDeadline = graceEnds < WakeDeadline ? graceEnds : WakeDeadline;
                    wakeAt = graceEnds < wakeAt ? graceEnds : wakeAt;
                    break;
                case LookupNodeState.NotContacted when mayQuery:
                    if (slotFree && covered < window)
                    {
                        if (_advisor is not null && _advisor.IsAvoided(candidate.Node, now))
                        {
                            candidate.State = LookupNodeState.Avoided;
                            _notContacted--;
                            Avoided++;
                            continue;
                        }

                        return Query(ref candidate, now);
                    }

                    unsettled = true;
                    break;
                default:
                    // Unresponsive (with k answers in), failed, avoided, or not contacted while the query budget
                    // is spent: none of them holds the lookup.
                    break;
            }

            if (answered >= _options.K || (unsettled && (!slotFree || covered >= window)))
            {
                break;
            }
        }

        if (!unsettled)
        {
            if (laggards)
            {
                _laggards = CollectLaggards(now);
            }

            Finish();
            return LookupStep.Finished;
        }

        return LookupStep.Wait(wakeAt);
    }

    private LookupStep Query(ref LookupCandidate candidate, DateTimeOffset now)
    {
        _notContacted--;
        QueriesSent++;
        Arm(ref candidate, now);
        return LookupStep.Query(candidate.Node, now);
    }

    /// <summary>
    /// Feeds back an answer from <paramref name="from"/> (the node exactly as <see cref="Next"/> returned it)
    /// with the nodes it returned. Those may hold anything: the responder, duplicates, excluded ids, unusable
    /// endpoints; only new, usable nodes are kept, and a known id keeps the endpoint first heard. Returns
    /// false, changing nothing, when the lookup is finished, the node was not asked or already settled, or the
    /// answer comes at or after its hard timeout. <paramref name="counts"/> false: the node answered but is not one
    /// of the nodes sought; its nodes are taken, and it is <see cref="LookupNodeState.Passed"/>, not a result.
    /// </summary>
    public bool OnResponse(NodeInfo from, ReadOnlySpan<NodeInfo> closer, DateTimeOffset now, bool counts = true)
    {
        int index = FindPending(from);
        if (index < 0)
        {
            return false;
        }

        ref var candidate = ref _candidates.AsSpan()[index];
        if (now >= candidate.HardDeadline)
        {
            // Too late whatever Next has seen yet, so the outcome does not depend on when Next was called.
            Settle(ref candidate, LookupNodeState.Failed);
            Failures++;
            return false;
        }

        var roundTrip = now - candidate.SentAt;
        _slowestAnswer = roundTrip > _slowestAnswer ? roundTrip : _slowestAnswer;
        Settle(ref candidate, counts ? LookupNodeState.Succeeded : LookupNodeState.Passed);
        Responses++;
        if (counts)
        {
            CountedResponses++;
        }

        int depth = candidate.Depth + 1;

        // Progress as in libp2p: the lookup still lacks k nodes, or a returned node is closer than any known.
        bool progress = _candidates.Count < _options.K;
        foreach (var node in closer)
        {
            if (TryAdd(node, depth, out int at) && at == 0)
            {
                progress = true;
            }
        }

        if (progress)
        {
            _noProgress = 0;
            _stalled = false;
        }
        else if (!_stalled && ++_noProgress >= _options.Alpha)
        {
            _stalled = true;
        }

        return true;
    }

    /// <summary>
    /// Feeds back that the query to <paramref name="from"/> failed (an error reply, or a timeout seen by the
    /// RPC layer). Returns false, changing nothing, when the lookup is finished or the node was not pending.
    /// </summary>
    public bool OnFailure(NodeInfo from, DateTimeOffset now)
    {
        _ = now; // failures are final whenever they come; kept for symmetry with OnResponse
        int index = FindPending(from);
        if (index < 0)
        {
            return false;
        }

        Settle(ref _candidates.AsSpan()[index], LookupNodeState.Failed);
        Failures++;
        return true;
    }

    /// <summary>Stops the lookup now (cancelled, or the caller has what it wanted); results stay readable.</summary>
    public void Finish()
    {
        if (IsFinished)
        {
            return;
        }

        IsFinished = true;
        _finalResults = CollectResults(out _finalRounds);
    }

    /// <summary>The hop depth of the node with <paramref name="id"/> (0 for seeds), or null when the lookup does not know it.</summary>
    public int? DepthOf(NodeId id)
    {
        int index = _candidates.IndexOf(id);
        return index >= 0 ? _candidates.AsSpan()[index].Depth : null;
    }

    /// <summary>The state of the node with <paramref name="id"/>, or null when the lookup does not know it.</summary>
    public LookupNodeState? StateOf(NodeId id)
    {
        int index = _candidates.IndexOf(id);
        return index >= 0 ? _candidates.AsSpan()[index].State : null;
    }

    private int FindPending(NodeInfo from)
    {
        if (IsFinished)
        {
            return -1;
        }

        int index = _candidates.IndexOf(from.Id);
        if (index < 0)
        {
            return -1;
        }

        var candidate = _candidates.AsSpan()[index];
        // The endpoint must match too: an answer from elsewhere claiming a queried id proves nothing.
        bool pending = candidate.State is LookupNodeState.Waiting or LookupNodeState.Unresponsive;
        return pending && candidate.Node.EndPoint == from.EndPoint ? index : -1;
    }

    private void Settle(ref LookupCandidate candidate, LookupNodeState outcome)
    {
        if (candidate.State == LookupNodeState.Waiting)
        {
            _inFlight--;
            if (_inFlight == 0)
            {
                _nextDeadline = DateTimeOffset.MaxValue;
                _deadlineStale = false;
            }
            else if (candidate.SoftDeadline == _nextDeadline)
            {
                _deadlineStale = true;
            }
        }

        candidate.State = outcome;
    }

    // Adds a node not seen before; `index` is where it went. False for known, excluded or unusable nodes, and
    // for a node farther than every kept one when the not-yet-asked nodes are at their bound.
    private bool TryAdd(NodeInfo node, int depth, out int index)
    {
        index = -1;
        if (node.EndPoint.IsUnusable || _excluded.Contains(node.Id))
        {
            return false;
        }

        var distance = node.Id ^ Target;
        int found = _candidates.BinarySearch(distance);
        if (found >= 0)
        {
            ref var known = ref _candidates.AsSpan()[found];
            if (known.State == LookupNodeState.NotContacted && depth < known.Depth)
            {
                known.Depth = depth;
            }

            return false;
        }

        int insertAt = ~found;
        if (_notContacted >= _options.MaxCandidates)
        {
            int farthest = _candidates.FarthestNotContacted();
            if (farthest < insertAt)
            {
                return false;
            }

            // farthest >= insertAt, so removing it leaves insertAt in place.
            _candidates.RemoveAt(farthest);
            _notContacted--;
        }

        _candidates.Insert(insertAt, new LookupCandidate(node, distance, depth));
        _notContacted++;
        index = insertAt;
        return true;
    }

    private NodeInfo[] CollectResults(out int rounds) => _candidates.Answered(_options.K, out rounds);
}
