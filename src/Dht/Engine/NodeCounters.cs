// Plain per-node counters, read by `status`, by the Meter that DhtNode publishes, and by simulations.
// They are written only on the node's own loop, so no interlocked operations are needed; readers on other
// threads may see slightly stale values, which is fine for monitoring.
using Dht.Protocol.Krpc;

namespace Dht.Engine;

/// <summary>Counters of one node's traffic.</summary>
public sealed class NodeCounters
{
    // Indexed by method id and sized from the schema, so a method added there (an extension's too) gets its
    // counters without a change here.
    private static readonly int Methods = KrpcSchema.Default.MethodIdLimit;

    internal long[] QueriesSentByMethod { get; } = new long[Methods];

    internal long[] QueriesReceivedByMethod { get; } = new long[Methods];

    internal long[] ResponsesReceivedByMethod { get; } = new long[Methods];

    internal long[] TimeoutsByMethod { get; } = new long[Methods];

    internal long[] ErrorsReceivedByMethod { get; } = new long[Methods];

    /// <summary>Datagrams that did not decode or failed validation (each answered with an error when possible).</summary>
    public long InvalidMessages { get; internal set; }

    /// <summary>KRPC errors we sent.</summary>
    public long ErrorsSent { get; internal set; }

    /// <summary>Responses we could not match to a query of ours (late, spoofed or from the wrong address).</summary>
    public long UnmatchedResponses { get; internal set; }

    /// <summary>Queries dropped by the per-IP rate limit.</summary>
    public long RateLimited { get; internal set; }

    /// <summary>Replies (answers and errors) not sent because the source's reply-byte budget was spent.</summary>
    public long RepliesOverBudget { get; internal set; }

    /// <summary>Stores answered with error 202 because the durable write failed.</summary>
    public long StorageFailures { get; internal set; }

    /// <summary>Pieces of work on the node's loop that threw (each logged; the loop went on).</summary>
    public long LoopFaults { get; internal set; }

    /// <summary>Datagrams received.</summary>
    public long DatagramsReceived { get; internal set; }

    /// <summary>Datagrams sent.</summary>
    public long DatagramsSent { get; internal set; }

    // Written on the receive threads, not the loop: interlocked.
    private long _datagramsDropped;

    /// <summary>
    /// Datagrams dropped on arrival because the node's loop was busy and already had its most datagrams waiting
    /// (an overload the node cannot keep up with; the kernel drops more when the socket's buffer is full).
    /// </summary>
    public long DatagramsDropped => Volatile.Read(ref _datagramsDropped);

    /// <summary>Queries of <paramref name="method"/> this node sent.</summary>
    public long QueriesSent(KrpcMethod method) => QueriesSentByMethod[(int)method];

    /// <summary>Queries of <paramref name="method"/> this node received.</summary>
    public long QueriesReceived(KrpcMethod method) => QueriesReceivedByMethod[(int)method];

    /// <summary>Responses to this node's queries of <paramref name="method"/>.</summary>
    public long ResponsesReceived(KrpcMethod method) => ResponsesReceivedByMethod[(int)method];

    /// <summary>Queries of <paramref name="method"/> that got no answer in time.</summary>
    public long Timeouts(KrpcMethod method) => TimeoutsByMethod[(int)method];

    /// <summary>KRPC errors answering this node's queries of <paramref name="method"/>.</summary>
    public long ErrorsReceived(KrpcMethod method) => ErrorsReceivedByMethod[(int)method];

    /// <summary>Queries sent, every method together.</summary>
    public long TotalQueriesSent => QueriesSentByMethod.Sum();

    /// <summary>Queries received, every method together.</summary>
    public long TotalQueriesReceived => QueriesReceivedByMethod.Sum();

    /// <summary>Queries that got no answer in time, every method together.</summary>
    public long TotalTimeouts => TimeoutsByMethod.Sum();

    // For health checks: when an answer last came. Ticks, so that a reader on another thread never sees half
    // a value (a 64-bit read is atomic; a DateTimeOffset is not). Set by the RPC manager where it counts answers.
    private long _lastAnswerTicks;

    /// <summary>When the node last received an answer (a response or a KRPC error) to a query of its own; null before the first.</summary>
    public DateTimeOffset? LastAnswerAt
    {
        get
        {
            long ticks = Volatile.Read(ref _lastAnswerTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    internal void Dropped() => Interlocked.Increment(ref _datagramsDropped);

    internal void Answered(DateTimeOffset now) => Volatile.Write(ref _lastAnswerTicks, now.UtcTicks);
}
