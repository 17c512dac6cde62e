// A token bucket for work that strangers can cause (hand-over to new contacts, pings of nodes heard of):
// Capacity units at once, refilled evenly over Period. Whatever a stream of new contacts asks for, the work
// done for them in any period is at most twice the capacity.
namespace Dht.Engine.Maintenance;

/// <summary>Units of work allowed now; refills over time. Not thread-safe: the node's loop owns it.</summary>
internal sealed class WorkBudget
{
    private readonly double _perTick;
    private double _available;
    private long _refilledTicks;

    /// <param name="capacity">Units available at once (and at the start).</param>
    /// <param name="period">How long an empty budget takes to fill again.</param>
    public WorkBudget(int capacity, TimeSpan period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        Capacity = capacity;
        Period = period;
        _perTick = capacity / (double)period.Ticks;
        _available = capacity;
    }

    public int Capacity { get; }

    public TimeSpan Period { get; }

    /// <summary>Whole units that may be spent at <paramref name="now"/>.</summary>
    public int Available(DateTimeOffset now)
    {
        long ticks = now.UtcTicks;
        if (_refilledTicks == 0)
        {
            _refilledTicks = ticks;
        }
        else if (ticks > _refilledTicks)
        {
            _available = Math.Min(Capacity, _available + ((ticks - _refilledTicks) * _perTick));
            _refilledTicks = ticks;
        }

        return (int)_available;
    }

    /// <summary>Spends <paramref name="units"/> (at most what <see cref="Available"/> said).</summary>
    public void Spend(int units) => _available = Math.Max(0, _available - units);

    /// <summary>Takes one unit if there is one.</summary>
    public bool TryTake(DateTimeOffset now)
    {
        if (Available(now) < 1)
        {
            return false;
        }

        _available -= 1;
        return true;
    }
}
