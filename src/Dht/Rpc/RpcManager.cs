// Our side of KRPC: assigns transaction ids, sends queries, matches answers, and times them out.
//
// All queries of a node share the same soft and hard timeouts, so the order in which they time out is the
// order in which they were sent: two FIFO queues replace a timer per query (cheap at 100,000 simulated
// nodes). A response is accepted only from the endpoint we queried, with the transaction id we assigned;
// anything else is counted and dropped. Transaction ids are 4 bytes: 16 random bits (so that an off-path
// attacker cannot guess them) and a 16-bit sequence (so that ids in flight never collide).
using System.Buffers;
using System.Buffers.Binary;
using Dht.Engine;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Transport;

namespace Dht.Rpc;

/// <summary>Outgoing queries and their transactions.</summary>
internal sealed class RpcManager
{
    private readonly IDatagramTransport _transport;
    private readonly IQueryObserver _monitor;
    private readonly NodeCounters _counters;
    private readonly IRandomSource _random;
    private readonly TimeSpan _softTimeout;
    private readonly TimeSpan _hardTimeout;
    private readonly int _maxPending;
    private readonly ReadOnlyMemory<byte> _clientVersion;
    private readonly bool _readOnly;
    private readonly Dictionary<uint, PendingQuery> _pending = [];
    private readonly Queue<PendingQuery> _softQueue = new();
    private readonly Queue<PendingQuery> _hardQueue = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(1500);
    private readonly byte[] _transactionBytes = new byte[4];
    private ushort _sequence;
    private bool _closed;

    public RpcManager(
        IDatagramTransport transport,
        IQueryObserver monitor,
        NodeCounters counters,
        IRandomSource random,
        TimeSpan softTimeout,
        TimeSpan hardTimeout,
        int maxPending,
        ReadOnlyMemory<byte> clientVersion,
        bool readOnly)
    {
        _transport = transport;
        _monitor = monitor;
        _counters = counters;
        _random = random;
        _softTimeout = softTimeout;
        _hardTimeout = hardTimeout;
        _maxPending = maxPending;
        _clientVersion = clientVersion;
        _readOnly = readOnly;
        _sequence = (ushort)random.NextUInt32();
    }

    /// <summary>Queries awaiting an answer.</summary>
    public int PendingCount => _pending.Count;

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

        var pending = new PendingQuery
        {
            TransactionId = tx,
            Method = query.Method,
            Destination = destination,
            ExpectedId = expectedId,
            SentAt = now,
            Observer = observer,
        };
        if (refused)
        {
            observer.OnFailure(pending, QueryFailure.Overloaded, now);
            return null;
        }

        _pending.Add(tx, pending);
        _softQueue.Enqueue(pending);
        _hardQueue.Enqueue(pending);

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
            Fail(pending, QueryFailure.InvalidResponse, now);
            return null;
        }

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
        while (_softQueue.TryPeek(out var q) && (!IsPending(q) || q.SentAt + _softTimeout <= now))
        {
            _softQueue.Dequeue();
            if (IsPending(q))
            {
                q.SoftTimedOut = true;
                _monitor.OnSoftTimeout(q, now);
                q.Observer.OnSoftTimeout(q, now);
            }
        }

        while (_hardQueue.TryPeek(out var q) && (!IsPending(q) || q.SentAt + _hardTimeout <= now))
        {
            _hardQueue.Dequeue();
            if (IsPending(q))
            {
                _pending.Remove(q.TransactionId);
                _counters.TimeoutsByMethod[(int)q.Method]++;
                Fail(q, QueryFailure.Timeout, now);
            }
        }
    }

    /// <summary>When <see cref="Tick"/> next has work, or null if nothing is pending.</summary>
    public DateTimeOffset? NextDeadline
    {
        get
        {
            // Answered queries stay in the queues until they reach a head (they cannot be taken out of the
            // middle); dropping them here keeps this O(1) per call, where a scan past them would make every
            // call between two ticks walk every query answered since the last one.
            DateTimeOffset? next = null;
            if (DropAnswered(_softQueue) is { } soft)
            {
                next = soft.SentAt + _softTimeout;
            }

            if (DropAnswered(_hardQueue) is { } hard)
            {
                var due = hard.SentAt + _hardTimeout;
                next = next is null || due < next ? due : next;
            }

            return next;
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
        _softQueue.Clear();
        _hardQueue.Clear();
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

    private PendingQuery? DropAnswered(Queue<PendingQuery> queue)
    {
        while (queue.TryPeek(out var q))
        {
            if (IsPending(q))
            {
                return q;
            }

            queue.Dequeue();
        }

        return null;
    }

    private bool IsPending(PendingQuery q) => _pending.TryGetValue(q.TransactionId, out var p) && ReferenceEquals(p, q);
}
