namespace Dht.Storage.Sqlite;

/// <summary>How a <see cref="SqliteDatabase"/> writes: how long it waits for a lock, and how many writes may wait for the disk.</summary>
public sealed class SqliteStorageOptions
{
    /// <summary>
    /// How long a batch of writes waits for the database's write lock when another process holds it (a
    /// backup, the sqlite3 shell) before its writes fail (their stores are answered with KRPC error 202).
    /// The wait is on the writer's thread, never on the node's. Default 200 ms: long enough to ride over
    /// another process's short transaction, short enough that a store fails well inside a querier's 2 s
    /// timeout instead of silently timing out there.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Writes accepted but not yet committed. Past it, a write fails at once (its store is answered with
    /// KRPC error 202) instead of holding memory while the disk is stuck. Default 16,384: at the group-commit
    /// rate (tens of thousands of writes per second, docs/BENCHMARKS.md) that is a fraction of a second of
    /// writes, and it bounds what waits to 16,384 entries of at most <see cref="StorageLimits.MaxValueSize"/>
    /// bytes each (16 MiB with the default size).
    /// </summary>
    public int MaxPendingWrites { get; set; } = 16_384;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BusyTimeout, TimeSpan.Zero, nameof(BusyTimeout));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(BusyTimeout, TimeSpan.FromMilliseconds(int.MaxValue), nameof(BusyTimeout));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxPendingWrites, nameof(MaxPendingWrites));
    }
}
