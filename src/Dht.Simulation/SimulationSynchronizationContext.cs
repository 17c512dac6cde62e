namespace Dht.Simulation;

/// <summary>
/// Brings continuations back into the simulation: a post becomes an event at the current virtual time, run with
/// this context current, so awaits inside it keep returning here instead of escaping to the thread pool.
/// </summary>
internal sealed class SimulationSynchronizationContext : SynchronizationContext
{
    private readonly SimulationClock _clock;
    private readonly Action<object, object?> _invoke;

    public SimulationSynchronizationContext(SimulationClock clock)
    {
        _clock = clock;
        _invoke = Invoke;
    }

    public override void Post(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        _clock.Enqueue(TimeSpan.Zero, new SimulationEvent(d, state, _invoke));
    }

    public override void Send(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        _clock.CheckThread();
        d(state);
    }

    public override SynchronizationContext CreateCopy() => this;

    private void Invoke(object callback, object? state)
    {
        var previous = Current;
        SetSynchronizationContext(this);
        try
        {
            ((SendOrPostCallback)callback)(state);
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }
}
