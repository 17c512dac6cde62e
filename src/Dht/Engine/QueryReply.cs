namespace Dht.Engine;

/// <summary>
/// How a query extension answered: with its reply, or with a KRPC error. A reply that acknowledges a store
/// carries the store's durability task: it is sent once the task completes, and becomes KRPC error 202 if
/// the task faults.
/// </summary>
internal readonly record struct QueryReply(int ErrorCode, string? ErrorMessage, Task? Durable = null)
{
    public static QueryReply Ok => default;

    public bool IsError => ErrorCode != 0;

    public static QueryReply Error(int code, string message) => new(code, message);

    /// <summary>The reply, to be sent once <paramref name="durable"/> has completed.</summary>
    public static QueryReply OkWhenDurable(Task durable) => new(0, null, durable);
}
