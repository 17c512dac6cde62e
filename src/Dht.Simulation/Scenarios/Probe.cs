namespace Dht.Simulation.Scenarios;

/// <summary>
/// Runs operations of the simulated nodes and records, for each, its result and virtual latency when it
/// completes. Completion is observed inline (on the simulation's thread, inside the event that completed it),
/// so the record is deterministic.
/// </summary>
internal static class Probe
{
    /// <summary>Starts every operation at once and runs the simulation until all have completed.</summary>
    public static List<Outcome<T>> RunAll<T>(SimulatedDht sim, IReadOnlyList<Func<Task<T>>> operations, TimeSpan? limit = null)
    {
        var outcomes = new Outcome<T>[operations.Count];
        var watchers = new Task[operations.Count];
        for (int i = 0; i < operations.Count; i++)
        {
            int index = i;
            watchers[i] = Start(sim, operations[i], o => outcomes[index] = o);
        }

        sim.Run(Task.WhenAll(watchers), limit ?? TimeSpan.FromMinutes(30));
        return [.. outcomes];
    }

    /// <summary>Starts an operation; <paramref name="record"/> sees its outcome when it completes.</summary>
    public static Task Start<T>(SimulatedDht sim, Func<Task<T>> operation, Action<Outcome<T>> record)
    {
        var started = sim.Clock.GetUtcNow();
        Task<T> task;
        try
        {
            task = operation();
        }
        catch (ObjectDisposedException)
        {
            record(new Outcome<T>(default, TimeSpan.Zero, Abandoned: true));
            return Task.CompletedTask;
        }

        return task.ContinueWith(
            t =>
            {
                var elapsed = sim.Clock.GetUtcNow() - started;
                record(t.IsCompletedSuccessfully
                    ? new Outcome<T>(t.Result, elapsed, Abandoned: false)
                    : new Outcome<T>(default, elapsed, Abandoned: IsAbandoned(t)));
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    // The asking node left during the operation: not a failure of the network to answer.
    private static bool IsAbandoned(Task task) =>
        task.IsCanceled || task.Exception?.GetBaseException() is ObjectDisposedException or OperationCanceledException;
}
