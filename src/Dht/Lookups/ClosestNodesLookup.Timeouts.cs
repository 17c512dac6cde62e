// ClosestNodesLookup's clock: arming a query's soft and hard deadlines, marking queries past their soft
// deadline unresponsive, and counting the silent that may still hold a lookup short of k answers. The state machine and
// its departures from the paper are in ClosestNodesLookup.cs.
using Dht.Protocol;
using Dht.Rpc;

namespace Dht.Lookups;

internal sealed partial class ClosestNodesLookup
{
    private int SilentWithinHardTimeout(DateTimeOffset now)
    {
        int silent = 0;
        foreach (ref readonly var candidate in _candidates.AsSpan())
        {
            if (candidate.State == LookupNodeState.Unresponsive && now < candidate.HardDeadline)
            {
                silent++;
            }
        }

        return silent;
    }

    // A write's laggard: a node still within its soft timeout that α nodes asked no earlier than it have overtaken
    // with their answers, or that has been silent for LagFactor times the slowest answer of this lookup once α
    // nodes have answered. The first takes no clock: the answers that overtake it show that neither the network
    // nor this process is what is slow, and the decision is taken the moment the last of them comes in rather
    // than at a timer's next tick (a millisecond or more, several round trips on a fast link). The second, on the
    // node's timer (WakeDeadline), covers the node asked last, which no later query can overtake.
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

    private void Arm(ref LookupCandidate candidate, DateTimeOffset now)
    {
        var timeouts = _advisor?.TimeoutsFor(candidate.Node) ?? new QueryTimeouts(_options.SoftTimeout, _options.HardTimeout);
        candidate.State = LookupNodeState.Waiting;
        candidate.SentAt = now;
        candidate.SoftDeadline = now + timeouts.Soft;
        candidate.HardDeadline = now + (timeouts.Hard > timeouts.Soft ? timeouts.Hard : timeouts.Soft);
        _inFlight++;
        if (candidate.SoftDeadline < _nextDeadline)
        {
            _nextDeadline = candidate.SoftDeadline;
        }
    }

    // Waiting nodes past their soft deadline become unresponsive: they free their slot and no longer hold the
    // lookup. Nothing else has a deadline: an unresponsive node's answer is checked against its hard deadline
    // when it comes, and its failure is reported by the runner.
    private void ApplyTimeouts(DateTimeOffset now)
    {
        var next = DateTimeOffset.MaxValue;
        var span = _candidates.AsSpan();
        for (int i = 0; i < span.Length; i++)
        {
            ref var candidate = ref span[i];
            if (candidate.State != LookupNodeState.Waiting)
            {
                continue;
            }

            if (now >= candidate.SoftDeadline)
            {
                _inFlight--;
                candidate.State = LookupNodeState.Unresponsive;
            }
            else if (candidate.SoftDeadline < next)
            {
                next = candidate.SoftDeadline;
            }
        }

        _nextDeadline = next;
        _deadlineStale = false;
    }
}
