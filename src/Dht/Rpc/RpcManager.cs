// Our side of KRPC: assigns transaction ids, sends queries, matches answers, times them out, and learns from
// the outcomes who answers and how fast.
//
// Each query gets its own soft and hard timeouts from its destination's round-trip estimate (RpcOptions): the
// contact's own when the routing table has measured it, else the node-wide one from the last answers. So queries
// no longer time out in the order they were sent, and one binary heap of deadlines replaces the two FIFO queues
// of equal timeouts: O(log n) per query, and NextDeadline is a peek. An answered query stays in the heap until
// its deadline comes up (taking it out of the middle would cost O(n)); the heap therefore holds at most the
// queries sent within one hard ceiling (2 s), and each is popped once.
//
// Outcomes also feed a bounded memory of recent failures (RecentFailures), which our lookups consult through
// ILookupAdvisor. A response is accepted only from the endpoint we queried, with the transaction id we
// assigned; anything else is counted and dropped. Transaction ids are 4 bytes: 16 random bits (so that an
// off-path attacker cannot guess them) and a 16-bit sequence (so that ids in flight never collide).
using System.Buffers;
using System.Buffers.Binary;
using Dht.Engine;
using Dht.Lookups;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Transport;

namespace Dht.Rpc;

/// <summary>Outgoing queries and their transactions.</summary>
internal sealed class RpcManager : ILookupAdvisor
{
    private readonly IDatagramTransport _transport;
    private readonly IQueryObserver _monitor;
    private readonly NodeCounters _counters;
    private readonly IRandomSource _random;
    private readonly RpcOptions _options;
    private readonly IRoundTripSource? _roundTrips;
    private readonly int _maxPending;
    private readonly ReadOnlyMemory<byte> _clientVersion;
    private readonly bool _readOnly;
    private readonly Dictionary<uint, PendingQuery> _pending = [];
    private readonly PriorityQueue<PendingQuery, long> _deadlines = new(); // by UTC ticks: soft, then hard
    private readonly RoundTripWindow _recent = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(1500);
    private readonly byte[] _transactionBytes = new byte[4];
    private ushort _sequence;
    private bool _closed;

    /// <param name="transport">Where queries go.</param>
    /// <param name="monitor">Told of every outcome before the query's own observer (the routing table's upkeep).</param>
    /// <param name="counters">The node's counters.</param>
    /// <param name="random">Draws the random half of transaction ids.</param>
    /// <param name="softTimeout">The longest soft timeout (<see cref="RpcOptions.SoftCeiling"/>).</param>
    /// <param name="hardTimeout">The longest hard timeout (<see cref="RpcOptions.HardCeiling"/>).</param>
    /// <param name="maxPending">Most queries awaiting an answer; more are refused.</param>
    /// <param name="clientVersion">Our KRPC <c>v</c>.</param>
    /// <param name="readOnly">Mark queries read-only (BEP 43).</param>
    /// <param name="roundTrips">Per-contact estimates; without it every query gets the node-wide one.</param>
    /// <param name="options">Everything else about timeouts and failures; the ceilings above take precedence.</param>
    public RpcManager(
        IDatagramTransport transport,
        IQueryObserver monitor,
        NodeCounters counters,
        IRandomSource random,
        TimeSpan softTimeout,
        TimeSpan hardTimeout,
        int maxPending,
        ReadOnlyMemory<byte> clientVersion,
        bool readOnly,
        IRoundTripSource? roundTrips = null,
        RpcOptions? options = null)
    {
        _options = (options ?? RpcOptions.Default) with { SoftCeiling = softTimeout, HardCeiling = hardTimeout };
        _options.Validate();
        _transport = transport;
        _monitor = monitor;
        _counters = counters;
        _random = random;
        _roundTrips = roundTrips;
        Failures = new RecentFailures(_options.FailureMemory, _options.AvoidFor, _options.MaxAvoidFor);
        _maxPending = maxPending;
        _clientVersion = clientVersion;
        _readOnly = readOnly;
        _sequence = (ushort)random.NextUInt32();
    }

    /// <summary>Queries awaiting an answer.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>The round trips of the last answers from any node: the estimate for nodes never measured.</summary>
    public RoundTripWindow RecentRoundTrips => _recent;

    /// <summary>Nodes that failed to answer us lately; our lookups leave them alone for a while.</summary>
    public RecentFailures Failures { get; }

    /// <summary>The timeouts a query to <paramref name="node"/> gets if sent now (an unknown id: the node-wide estimate).</summary>
    public QueryTimeouts TimeoutsFor(NodeInfo node) =>
        _options.TimeoutsFor(node.Id == default || _roundTrips is null ? default : _roundTrips.RoundTripOf(node.Id, node.EndPoint), _recent);

    /// <summary>True while <paramref name="node"/> is in the memory of recent failures.</summary>
    public bool IsAvoided(NodeInfo node, DateTimeOffset now) => Failures.IsAvoided(node, now);

    /// <summary>
    /// Sends <paramref name="query"/> (kind, method and arguments filled in by the caller; the transaction id,
    /// client version and read-only flag are set here). On refusal the observer is told at once.
    /// </summary>
    public PendingQuery? Send(
        KrpcMessage query,
        NetEndPoint destination,
        NodeId? expectedId,
        IQueryObserver observer,
        DateTimeOffset now)
    {
        bool refused = _closed || _pending.Count >= _maxPending || destination.IsUnusable;
        uint tx = 0;
        while (!refused)
        {
            tx = (_random.NextUInt32() & 0xFFFF0000u) | _sequence++;
            if (!_pending.ContainsKey(tx))
            {
                break;
            }
        }

        var timeouts = TimeoutsFor(new NodeInfo(expectedId ?? default, destination));
        var pending = new PendingQuery
        {
            TransactionId = tx,
            Method = query.Method,
            Destination = destination,
            ExpectedId = expectedId,
            SentAt = now,
            SoftDeadline = now + timeouts.Soft,
            HardDeadline = now + timeouts.Hard,
            Observer = observer,
        };
        if (refused)
        {
            observer.OnFailure(pending, QueryFailure.Overloaded, now);
            return null;
        }

        _pending.Add(tx, pending);
        _deadlines.Enqueue(pending, pending.SoftDeadline.UtcTicks);

        BinaryPrimitives.WriteUInt32BigEndian(_transactionBytes, tx);
        query.Kind = KrpcMessageKind.Query;
        query.TransactionId = _transactionBytes;
        query.ClientVersion = _clientVersion;
        query.Fields |= KrpcFields.Id | KrpcFields.ClientVersion;
        query.ReadOnly = _readOnly;
        _buffer.ResetWrittenCount();
        KrpcWriter.Write(query, _buffer);
        _transport.Send(destination, _buffer.WrittenSpan);
        _counters.QueriesSentByMethod[(int)query.Method]++;
        _counters.DatagramsSent++;
        return pending;
    }

    /// <summary>
    /// Matches a response or error to its query and tells the observer. Returns the query, or null when the
    /// message matches nothing of ours (counted as unmatched).
    /// </summary>
    public PendingQuery? Complete(KrpcMessage message, NetEndPoint source, DateTimeOffset now)
    {
        var t = message.TransactionId.Span;
        if (t.Length != 4 || !_pending.TryGetValue(BinaryPrimitives.ReadUInt32BigEndian(t), out var pending)
            || pending.Destination != source)
        {
            _counters.UnmatchedResponses++;
            return null;
        }

        _pending.Remove(pending.TransactionId);
        if (message.Kind == KrpcMessageKind.Response && pending.ExpectedId is { } expected && expected != message.Id)
        {
            // The node at that address is not the node we asked: treat it as not having answered.
            _counters.InvalidMessages++;
            Failures.Failed(pending.Node, now);
            Fail(pending, QueryFailure.InvalidResponse, now);
            return null;
        }

        // An error is an answer too: the node is there, and its round trip is as good a sample.
        _recent.Add(now - pending.SentAt);
        _counters.Answered(now);
        Failures.Answered(new NodeInfo(message.Kind == KrpcMessageKind.Response ? message.Id : pending.ExpectedId ?? default, source));
        if (message.Kind == KrpcMessageKind.Error)
        {
            pending.ErrorCode = message.ErrorCode;
            _counters.ErrorsReceivedByMethod[(int)pending.Method]++;
            Fail(pending, QueryFailure.ErrorReply, now);
            return pending;
        }

        _counters.ResponsesReceivedByMethod[(int)pending.Method]++;
        _monitor.OnResponse(pending, message, now);
        pending.Observer.OnResponse(pending, message, now);
        return pending;
    }

    /// <summary>Applies soft and hard timeouts due at <paramref name="now"/>.</summary>
    public void Tick(DateTimeOffset now)
    {
        // Observers may send new queries from inside the callbacks below; the heap takes them as it goes.
        while (_deadlines.TryPeek(out var q, out long due) && due <= now.UtcTicks)
        {
            _deadlines.Dequeue();
            if (!IsPending(q))
            {
                continue;
            }

            if (!q.SoftTimedOut)
            {
                q.SoftTimedOut = true;
                if (q.ExpectedId is not null)
                {
                    Failures.Suspect(q.Node, q.HardDeadline);
                }

                _deadlines.Enqueue(q, q.HardDeadline.UtcTicks);
                _monitor.OnSoftTimeout(q, now);
                q.Observer.OnSoftTimeout(q, now);
                continue;
            }

            _pending.Remove(q.TransactionId);
            _counters.TimeoutsByMethod[(int)q.Method]++;
            if (q.ExpectedId is not null)
            {
                Failures.Failed(q.Node, now);
            }

            Fail(q, QueryFailure.Timeout, now);
        }
    }

    /// <summary>When <see cref="Tick"/> next has work, or null if nothing is pending.</summary>
    public DateTimeOffset? NextDeadline
    {
        get
        {
            // Answered queries are dropped as they reach the top, each once: O(log n) amortised per query.
            while (_deadlines.TryPeek(out var q, out long due))
            {
                if (IsPending(q))
                {
                    return new DateTimeOffset(due, TimeSpan.Zero);
                }

                _deadlines.Dequeue();
            }

            return null;
        }
    }

    /// <summary>
    /// Fails every pending query and refuses new ones (shutdown): with the node's timer gone, a query sent
    /// later would never time out, and whatever awaits it would wait forever.
    /// </summary>
    public void CancelAll(DateTimeOffset now)
    {
        _closed = true;
        var all = _pending.Values.ToArray();
        _pending.Clear();
        _deadlines.Clear();
        foreach (var q in all)
        {
            q.Observer.OnFailure(q, QueryFailure.Timeout, now);
        }
    }

    private void Fail(PendingQuery query, QueryFailure failure, DateTimeOffset now)
    {
        _monitor.OnFailure(query, failure, now);
        query.Observer.OnFailure(query, failure, now);
    }

    private bool IsPending(PendingQuery q) => _pending.TryGetValue(q.TransactionId, out var p) && ReferenceEquals(p, q);
}
