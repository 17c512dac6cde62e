// Virtual time and the single event queue of a simulation.
//
// Everything that happens in a simulation — timer callbacks, datagram deliveries, posted continuations — is an
// event in this one queue, ordered by due time and then by the order it was scheduled. Events run one at a
// time on the thread that calls a Run method, and time jumps from one event to the next, so a run depends only
// on its inputs and seed: the same seed replays the same run, event for event.
//
// Departures from a real TimeProvider: callbacks never run concurrently or on the thread pool, only inside the
// Run methods; the execution context is not flowed into timer callbacks; timestamps are the virtual UTC ticks.
namespace Dht.Simulation;

/// <summary>A <see cref="TimeProvider"/> whose time moves only when the simulation runs its events.</summary>
public class SimulationClock : TimeProvider
{
    // Below this many stale entries compaction costs more than it saves.
    private const int CompactionThreshold = 1024;

    private readonly PriorityQueue<SimulationEvent, (long Ticks, long Sequence)> _queue = new();
    private readonly SimulationSynchronizationContext _context;
    private long _nowTicks;
    private long _nextSequence;
    private int _staleCount;
    private int _runningThreadId;

    /// <summary>Creates a clock that starts at <paramref name="start"/> (default <see cref="DefaultStart"/>).</summary>
    public SimulationClock(DateTimeOffset? start = null)
    {
        _nowTicks = (start ?? DefaultStart).UtcTicks;
        _context = new SimulationSynchronizationContext(this);
    }

    /// <summary>The default start of virtual time: 2026-01-01T00:00:00Z.</summary>
    public static DateTimeOffset DefaultStart { get; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Events run so far (timer callbacks, scheduled actions, deliveries), skipped stale entries excluded.</summary>
    public long EventsProcessed { get; private set; }

    /// <summary>Events still to run, counting each armed timer once.</summary>
    public int PendingEvents => _queue.Count - _staleCount;

    /// <summary>True while a Run method is executing events.</summary>
    public bool IsRunning => _runningThreadId != 0;

    /// <summary>
    /// A synchronization context that turns each post into an event at the current virtual time. Async code
    /// started under it (see <see cref="Start(Func{Task})"/>) stays inside the simulation even when it yields or
    /// awaits a task whose continuations run asynchronously.
    /// </summary>
    public SynchronizationContext SynchronizationContext => _context;

    /// <summary>Queue entries including stale ones, to check that the queue stays bounded.</summary>
    internal int QueueLength => _queue.Count;

    public override DateTimeOffset GetUtcNow() => new(_nowTicks, TimeSpan.Zero);

    public override long GetTimestamp() => _nowTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>
    /// Creates a timer whose callbacks are events in this clock's queue. <see cref="Timeout.InfiniteTimeSpan"/>
    /// as due time leaves it disarmed; a zero or infinite period makes it one-shot.
    /// </summary>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new SimulationTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Runs <paramref name="action"/> after <paramref name="delay"/> of virtual time.</summary>
    public void Schedule(TimeSpan delay, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        Enqueue(delay, new SimulationEvent(action, null, null));
    }

    /// <summary>
    /// Runs <paramref name="action"/> with <paramref name="state"/> after <paramref name="delay"/>; with a
    /// non-capturing (static) lambda and a reference-type state this allocates nothing per event.
    /// </summary>
    public void Schedule<TState>(TimeSpan delay, Action<TState> action, TState state)
    {
        ArgumentNullException.ThrowIfNull(action);
        Enqueue(delay, new SimulationEvent(action, state, static (callback, s) => ((Action<TState>)callback)((TState)s!)));
    }

    /// <summary>
    /// Invokes <paramref name="operation"/> with <see cref="SynchronizationContext"/> current, so every
    /// continuation of the returned task comes back as a simulation event. Drive it with a Run method.
    /// </summary>
    public Task Start(Func<Task> operation) => InContext(operation);

    /// <inheritdoc cref="Start(Func{Task})"/>
    public Task<T> Start<T>(Func<Task<T>> operation) => InContext(operation);

    private TTask InContext<TTask>(Func<TTask> operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(_context);
        try
        {
            return operation();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    /// <summary>Runs every event due up to and including <paramref name="until"/>, then sets the time to it.</summary>
    public void RunUntil(DateTimeOffset until)
    {
        long limit = until.UtcTicks;
        if (limit < _nowTicks)
        {
            throw new ArgumentOutOfRangeException(nameof(until), until, "Virtual time cannot go backwards.");
        }

        EnterRun();
        try
        {
            while (RunNext(limit))
            {
            }

            _nowTicks = limit;
        }
        finally
        {
            _runningThreadId = 0;
        }
    }

    /// <summary>Runs every event due within <paramref name="duration"/> from now and moves time by it.</summary>
    public void RunFor(TimeSpan duration) => RunUntil(new DateTimeOffset(DueTicks(duration), TimeSpan.Zero));

    /// <summary>Same as <see cref="RunFor"/>: moves virtual time forward, firing what falls due on the way.</summary>
    public void Advance(TimeSpan duration) => RunFor(duration);

    /// <summary>
    /// Runs events, whatever their due time, until none is left or <paramref name="maxEvents"/> have run.
    /// Returns true when the queue is empty (a periodic timer never lets it empty).
    /// </summary>
    public bool RunUntilIdle(int maxEvents = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxEvents);
        EnterRun();
        try
        {
            for (int i = 0; i < maxEvents; i++)
            {
                if (!RunNext(long.MaxValue))
                {
                    return true;
                }
            }

            return PendingEvents == 0;
        }
        finally
        {
            _runningThreadId = 0;
        }
    }

    /// <summary>
    /// Runs events until <paramref name="condition"/> holds, checking it before starting and after each event.
    /// Returns false, with the time moved to the limit, when <paramref name="maxVirtualTime"/> passes first.
    /// </summary>
    public bool RunUntil(Func<bool> condition, TimeSpan maxVirtualTime)
    {
        ArgumentNullException.ThrowIfNull(condition);
        long limit = DueTicks(maxVirtualTime);
        EnterRun();
        try
        {
            if (condition())
            {
                return true;
            }

            while (RunNext(limit))
            {
                if (condition())
                {
                    return true;
                }
            }

            _nowTicks = limit;
            return false;
        }
        finally
        {
            _runningThreadId = 0;
        }
    }

    internal void CheckThread()
    {
        int running = _runningThreadId;
        if (running != 0 && running != Environment.CurrentManagedThreadId)
        {
            throw new InvalidOperationException(
                "The simulation is single-threaded: it was touched from another thread while running. " +
                "Work that escaped to the thread pool (e.g. ConfigureAwait(false), Task.Run, or an async continuation " +
                "started outside SimulationClock.Start) makes the run nondeterministic.");
        }
    }

    internal long DueTicks(TimeSpan delay)
    {
        if (delay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "Must not be negative.");
        }

        if (delay.Ticks > DateTimeOffset.MaxValue.UtcTicks - _nowTicks)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "Falls beyond the end of representable time.");
        }

        return _nowTicks + delay.Ticks;
    }

    internal long NextSequence() => _nextSequence++;

    internal void Enqueue(TimeSpan delay, SimulationEvent simulationEvent)
    {
        CheckThread();
        long due = DueTicks(delay);
        _queue.Enqueue(simulationEvent, (due, _nextSequence++));
    }

    internal void EnqueueTimer(SimulationTimer timer, long ticks, long sequence) =>
        _queue.Enqueue(new SimulationEvent(timer, null, null), (ticks, sequence));

    internal void MarkStale()
    {
        _staleCount++;
        if (_staleCount > CompactionThreshold && _staleCount > _queue.Count / 2)
        {
            Compact();
        }
    }

    private void EnterRun()
    {
        if (_runningThreadId != 0)
        {
            throw new InvalidOperationException("The simulation is already running; an event cannot run it again.");
        }

        _runningThreadId = Environment.CurrentManagedThreadId;
    }

    // Runs the next live event due at or before limitTicks; false when there is none.
    private bool RunNext(long limitTicks)
    {
        while (_queue.TryPeek(out var next, out var priority))
        {
            if (priority.Ticks > limitTicks)
            {
                return false;
            }

            _queue.Dequeue();
            if (next.Callback is SimulationTimer timer)
            {
                if (!timer.IsQueuedEntry(priority.Sequence))
                {
                    _staleCount--;
                    continue;
                }

                if (!timer.TakeDue(priority.Ticks, priority.Sequence))
                {
                    continue;
                }

                _nowTicks = priority.Ticks;
                EventsProcessed++;
                timer.Fire();
                return true;
            }

            _nowTicks = priority.Ticks;
            EventsProcessed++;
            next.Invoke();
            return true;
        }

        return false;
    }

    // Order is total (sequences are unique), so rebuilding the heap cannot change what runs when.
    private void Compact()
    {
        var live = new List<(SimulationEvent, (long, long))>(_queue.Count - _staleCount);
        foreach (var (element, priority) in _queue.UnorderedItems)
        {
            if (element.Callback is not SimulationTimer timer || timer.IsQueuedEntry(priority.Sequence))
            {
                live.Add((element, priority));
            }
        }

        _queue.Clear();
        _queue.EnqueueRange(live);
        _staleCount = 0;
    }
}
