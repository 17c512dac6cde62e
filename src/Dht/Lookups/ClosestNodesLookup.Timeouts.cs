// ClosestNodesLookup's clock: arming a query's soft and hard deadlines (again when a pending node is asked again),
// marking queries past their soft deadline unresponsive, and counting the silent that may still hold a lookup
// short of k answers. The state machine and its departures from the paper are in ClosestNodesLookup.cs.
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

    /// <summary>The caller asks <paramref name="from"/>, still pending, again (another method after an answer that did not
    /// settle it): its timeouts start over. False, changing nothing, when it is not pending.</summary>
    public bool Requery(NodeInfo from, DateTimeOffset now)
    {
        int index = FindPending(from);
        if (index < 0)
        {
            return false;
        }

        ref var candidate = ref _candidates.AsSpan()[index];
        if (candidate.State == LookupNodeState.Waiting)
        {
            _inFlight--;
        }

        Arm(ref candidate, now);
        return true;
    }

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
