// A timer of the simulation clock. It keeps at most one live entry in the clock's queue: moving the due time
// later leaves the existing, earlier entry in place and carries the timer forward when that entry comes up,
// so the common "push the deadline back" pattern costs nothing. Moving it earlier, disarming or disposing
// turns the old entry stale; the clock skips stale entries and compacts the queue when they pile up.
//
// A due time is a (ticks, sequence) pair taken when Change is called, so a timer fires in exactly the order
// it would have if every Change had enqueued a fresh entry.
namespace Dht.Simulation;

internal sealed class SimulationTimer : ITimer
{
    private const long None = -1;

    private readonly SimulationClock _clock;
    private readonly TimerCallback _callback;
    private readonly object? _state;
    private long _dueTicks = None;
    private long _dueSequence = None;
    private long _periodTicks;
    private long _queuedTicks = None;
    private long _queuedSequence = None;
    private bool _disposed;

    public SimulationTimer(SimulationClock clock, TimerCallback callback, object? state)
    {
        _clock = clock;
        _callback = callback;
        _state = state;
    }

    public bool Change(TimeSpan dueTime, TimeSpan period)
    {
        ValidateInterval(dueTime, nameof(dueTime));
        ValidateInterval(period, nameof(period));
        if (_disposed)
        {
            return false;
        }

        _clock.CheckThread();
        if (dueTime == Timeout.InfiniteTimeSpan)
        {
            Disarm();
            return true;
        }

        long due = _clock.DueTicks(dueTime);
        // As System.Threading.Timer: a zero or infinite period means one-shot.
        _periodTicks = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
        Arm(due, _clock.NextSequence());
        return true;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _clock.CheckThread();
        Disarm();
        _disposed = true;
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>True when the queue entry with this sequence is the timer's live one (others are stale).</summary>
    internal bool IsQueuedEntry(long sequence) => sequence == _queuedSequence;

    /// <summary>
    /// Called when the live entry comes up. Returns true when the timer is due now (periodic timers are re-armed
    /// before the callback runs, so a Change inside the callback wins); false when it was moved later and has
    /// been re-queued at its real due time.
    /// </summary>
    internal bool TakeDue(long ticks, long sequence)
    {
        _queuedTicks = None;
        _queuedSequence = None;
        if (_dueSequence != sequence)
        {
            Enqueue(_dueTicks, _dueSequence);
            return false;
        }

        _dueTicks = None;
        _dueSequence = None;
        if (_periodTicks > 0 && _periodTicks <= DateTimeOffset.MaxValue.UtcTicks - ticks)
        {
            Arm(ticks + _periodTicks, _clock.NextSequence());
        }

        return true;
    }

    internal void Fire() => _callback(_state);

    private void Arm(long dueTicks, long sequence)
    {
        _dueTicks = dueTicks;
        _dueSequence = sequence;
        if (_queuedSequence != None && _queuedTicks <= dueTicks)
        {
            return;
        }

        bool replacing = _queuedSequence != None;
        Enqueue(dueTicks, sequence);
        if (replacing)
        {
            // Only after the new entry is recorded, so that a compaction triggered here drops the old one.
            _clock.MarkStale();
        }
    }

    private void Disarm()
    {
        _dueTicks = None;
        _dueSequence = None;
        if (_queuedSequence != None)
        {
            _queuedTicks = None;
            _queuedSequence = None;
            _clock.MarkStale();
        }
    }

    private void Enqueue(long ticks, long sequence)
    {
        _queuedTicks = ticks;
        _queuedSequence = sequence;
        _clock.EnqueueTimer(this, ticks, sequence);
    }

    private static void ValidateInterval(TimeSpan value, string name)
    {
        if (value < TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, value, "Must be non-negative or Timeout.InfiniteTimeSpan.");
        }
    }
}
