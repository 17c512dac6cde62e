namespace Dht.Simulation;

/// <summary>
/// One entry of the simulation queue. A struct of three references so that the queue of a large simulation
/// holds no per-event objects beyond what the caller already owns: a timer entry is the timer itself, a
/// stateful event carries its state next to a cached, non-capturing invoker instead of a closure.
/// </summary>
internal readonly struct SimulationEvent
{
    public SimulationEvent(object callback, object? state, Action<object, object?>? invoker)
    {
        Callback = callback;
        State = state;
        Invoker = invoker;
    }

    /// <summary>A <see cref="SimulationTimer"/>, an <see cref="Action"/>, or the delegate the invoker calls.</summary>
    public object Callback { get; }

    public object? State { get; }

    public Action<object, object?>? Invoker { get; }

    /// <summary>Runs a non-timer event.</summary>
    public void Invoke()
    {
        if (Invoker is not null)
        {
            Invoker(Callback, State);
        }
        else
        {
            ((Action)Callback)();
        }
    }
}
