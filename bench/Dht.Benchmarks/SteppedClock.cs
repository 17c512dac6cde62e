// A clock for benchmarks of a whole node on one thread: time moves only when the benchmark moves it, and the
// timers that fall due fire then, on the calling thread. Unlike the simulation clock it keeps no event queue,
// so moving it allocates nothing and the bytes a benchmark counts are the node's own.
namespace Dht.Benchmarks;

/// <summary>A manual <see cref="TimeProvider"/> whose timers fire inside <see cref="Advance"/>.</summary>
internal sealed class SteppedClock(DateTimeOffset start) : TimeProvider
{
    private readonly List<Timer> _timers = [];
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Timer(this, callback, state);
        _timers.Add(timer);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves time forward by <paramref name="step"/> and fires every timer due by then, earliest first.</summary>
    public void Advance(TimeSpan step)
    {
        _now += step;
        while (true)
        {
            Timer? due = null;
            foreach (var timer in _timers)
            {
                if (timer.Due <= _now && (due is null || timer.Due < due.Due))
                {
                    due = timer;
                }
            }

            if (due is null)
            {
                return;
            }

            due.Fire();
        }
    }

    private sealed class Timer(SteppedClock clock, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public DateTimeOffset Due { get; private set; } = DateTimeOffset.MaxValue;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Due = dueTime == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : clock._now + dueTime;
            _period = period;
            return true;
        }

        public void Fire()
        {
            Due = _period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero ? DateTimeOffset.MaxValue : clock._now + _period;
            callback(state);
        }

        public void Dispose()
        {
            Due = DateTimeOffset.MaxValue;
            clock._timers.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
