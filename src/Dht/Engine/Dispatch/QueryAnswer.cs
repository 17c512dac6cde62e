using System.Diagnostics.CodeAnalysis;

namespace Dht.Engine.Dispatch;

/// <summary>
/// How a handler answered a query: with its reply now, with a KRPC error, or later, once a task (a durable
/// write) completes; the dispatcher then sends the reply, or error 202 if the task failed.
/// </summary>
internal readonly struct QueryAnswer
{
    private QueryAnswer(int errorCode, string? errorMessage, Task? pending)
    {
        ErrorCode = errorCode;
        ErrorMessage = errorMessage;
        Pending = pending;
    }

    /// <summary>The reply as the handler filled it.</summary>
    public static QueryAnswer Reply => default;

    /// <summary>For an error: its KRPC code; 0 otherwise.</summary>
    public int ErrorCode { get; }

    /// <summary>For an error: its message.</summary>
    public string? ErrorMessage { get; }

    /// <summary>For a later answer: what the reply waits for.</summary>
    public Task? Pending { get; }

    [MemberNotNullWhen(true, nameof(ErrorMessage))]
    public bool IsError => ErrorCode != 0;

    [MemberNotNullWhen(true, nameof(Pending))]
    public bool IsLater => Pending is not null;

    public static QueryAnswer Error(int code, string message) => new(code, message, null);

    /// <summary>
    /// The reply, once <paramref name="pending"/> completes: at once if it already has; error 202 if it faults.
    /// </summary>
    public static QueryAnswer When(Task pending)
    {
        ArgumentNullException.ThrowIfNull(pending);
        return new(0, null, pending);
    }
}
