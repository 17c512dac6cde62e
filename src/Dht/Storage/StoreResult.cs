namespace Dht.Storage;

/// <summary>
/// What a storage policy did with a put, and when it is durable: <see cref="Durable"/> completes once the
/// accepted entry is on disk (at once for a refusal or an in-memory store) and faults when it could not be
/// written. A store is acknowledged on the wire only after <see cref="Durable"/> completed successfully.
/// </summary>
internal readonly record struct StoreResult(StoreOutcome Outcome, Task Durable)
{
    /// <summary>True when the put was stored or refreshed the held entry.</summary>
    public bool IsAccepted => Outcome is StoreOutcome.Stored or StoreOutcome.Refreshed;

    /// <summary>A put that changed nothing, so there is nothing to wait for.</summary>
    public static StoreResult Unchanged(StoreOutcome outcome) => new(outcome, Task.CompletedTask);
}
