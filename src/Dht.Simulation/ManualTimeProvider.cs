namespace Dht.Simulation;

/// <summary>
/// A manual clock for unit tests of one component: move time with <see cref="SimulationClock.Advance"/> or
/// <see cref="SetUtcNow"/> and the timers that fall due fire in order, on the calling thread. It is a
/// <see cref="SimulationClock"/>, so the semantics are exactly those of the simulations.
/// </summary>
public sealed class ManualTimeProvider : SimulationClock
{
    public ManualTimeProvider(DateTimeOffset? start = null)
        : base(start)
    {
    }

    /// <summary>Moves time forward to <paramref name="value"/>, firing the timers due on the way.</summary>
    public void SetUtcNow(DateTimeOffset value) => RunUntil(value);
}
