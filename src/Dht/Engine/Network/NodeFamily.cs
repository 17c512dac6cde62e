// One address family of a node (libtorrent's "node" per socket): its transport, routing table, RPC manager and
// lost contacts. A node holds one today; a dual-stack node (BEP 32) would hold one per family over the same
// stores, tokens and query handlers, since BEP 32 keeps the IPv4 and IPv6 DHTs as separate networks.
//
// The family is the front door for datagrams: when the node's loop is idle a datagram is handled at once on
// the receive thread (copied into one reused buffer, because the parser slices memory), otherwise it is
// copied into a pooled buffer and queued for the loop. At most MaxQueuedDatagrams wait so: under a load
// the loop cannot keep up with, the receive thread outruns it, and an unbounded queue held hundreds of
// megabytes of copies (a 2 KiB buffer each) and allocated them per datagram; beyond the bound a datagram
// is dropped and counted (NodeCounters.DatagramsDropped), as the kernel drops it when the socket's buffer
// is full. It is also the RPC manager's monitor: every query outcome updates the routing table, and a
// contact that stops answering is remembered for re-pings. What a contact shows of our named-value extension
// is kept on its contact (ExtensionReach), and a refusal of the extension (error 204, an answer without its
// keys) never counts against a node.
//
// Departure from BEP 5: nodes that only query us enter the table as questionable instead of being ignored,
// and are verified at once with a find_node for our own id, whose answer introduces us to the nodes they know
// (ContactDiscovery). A contact's first answer is what tells the contact listeners (hand-over).
using System.Collections.Concurrent;
using Dht.Engine.Dispatch;
using Dht.Engine.Loop;
using Dht.Lookups;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Routing;
using Dht.Rpc;
using Dht.Transport;

namespace Dht.Engine.Network;

/// <summary>Transport, routing table and RPC manager of one address family.</summary>
internal sealed class NodeFamily : IDatagramReceiver, IQueryObserver, IQueryNetwork
{
    /// <summary>Largest datagram handled (the largest UDP payload).</summary>
    public const int MaxDatagramSize = 65_536;

    /// <summary>
    /// Most datagrams queued for a busy loop (their copies take up to 2 MiB). The queue only has to carry the
    /// datagrams of a pause of the loop (a timer tick, a lookup step, a turn handed to the thread pool): at
    /// 300,000 datagrams a second, 3 ms of them; longer overloads wait in the socket's receive buffer (4 MiB,
    /// UdpTransportOptions.ReceiveBufferSize) or are dropped there. Every queued datagram's copy is kept for
    /// reuse, so the bound is also what the copies of a busy node cost, allocated once.
    /// </summary>
    internal const int MaxQueuedDatagrams = 1024;

    private readonly IDatagramTransport _transport;
    private readonly NodeLoop _loop;
    private readonly NodeTimer _timer;
    private readonly QueryDispatcher _dispatcher;
    private readonly TimeProvider _time;
    private readonly RpcManager _rpc;
    private readonly KrpcMessage _outgoing = new();
    private readonly ConcurrentQueue<QueuedDatagram> _spareDatagrams = new();
    private readonly NodeCounters _counters;
    private readonly List<IContactListener> _contactListeners = [];
    private readonly IQueryObserver _ignore = new IgnoringObserver();
    private readonly Action<DateTimeOffset>? _publish; // the node's counts for other threads (NodeGauges)
    private readonly PublicAddressVote _publicAddress = new();
    private byte[] _receiveBuffer = new byte[2048];
    private object? _publishedPublicEndPoint;
    private int _queuedDatagrams; // taken on receive threads, given back on the loop
    private bool _closed;

    public NodeFamily(
        NodeId localId,
        DhtOptions options,
        IDatagramTransport transport,
        TimeProvider time,
        IRandomSource random,
        NodeCounters counters,
        NodeLoop loop,
        NodeTimer timer,
        QueryDispatcher dispatcher,
        Action<DateTimeOffset>? publish = null)
    {
        LocalId = localId;
        _transport = transport;
        _time = time;
        _loop = loop;
        _timer = timer;
        _dispatcher = dispatcher;
        _publish = publish;
        _counters = counters;
        Routing = new RoutingTable(localId, new RoutingTableOptions
        {
            BucketSize = options.BucketSize,
            RefreshInterval = options.BucketRefreshInterval,
        }, time.GetUtcNow());
        _rpc = new RpcManager(transport, this, counters, random, options.SoftTimeout, options.QueryTimeout,
            options.MaxPendingQueries, NodeIdentity.ClientVersion, options.ReadOnly, roundTrips: Routing);
        Discovery = new ContactDiscovery(this);
    }

    public NodeId LocalId { get; }

    public NetEndPoint LocalEndPoint => _transport.LocalEndPoint;

    public RoutingTable Routing { get; }

    /// <summary>Up to 64 contacts that stopped answering, re-pinged after 1 minute, backing off to hourly, forgotten after a day.</summary>
    public LostContacts Lost { get; } = new(64, TimeSpan.FromMinutes(1), TimeSpan.FromHours(1), TimeSpan.FromDays(1));

    /// <summary>Meets the nodes that newcomers name in the answer that verifies them.</summary>
    public ContactDiscovery Discovery { get; }

    public int PendingQueries => _rpc.PendingCount;

    /// <summary>When the RPC manager next has timeouts to apply.</summary>
    public DateTimeOffset? NextDeadline => _rpc.NextDeadline;

    /// <summary>
    /// The address and port other nodes see us at, by majority of the BEP 42 <c>ip</c> of their answers
    /// (<see cref="PublicAddressVote"/>); null until known. Readable from any thread.
    /// </summary>
    public NetEndPoint? PublicEndPoint => Volatile.Read(ref _publishedPublicEndPoint) is NetEndPoint seen ? seen : null;

    /// <summary>The current time.</summary>
    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>True once the node has shut down: nothing more is sent or handled.</summary>
    public bool IsClosed => _closed;

    /// <summary>The transport, for answers that the dispatcher sends.</summary>
    public IDatagramTransport Transport => _transport;

    /// <summary>Tells <paramref name="listener"/> about every contact of the routing table when it first answers us.</summary>
    public void AddContactListener(IContactListener listener) => _contactListeners.Add(listener);

    /// <summary>Starts receiving. Call on the loop.</summary>
    public void Start() => _transport.Start(this);

    public void OnDatagram(NetEndPoint source, ReadOnlySpan<byte> datagram)
    {
        if (_loop.TryEnter())
        {
            // The fast path: the loop was idle, so the datagram is handled here, on the receive thread.
            try
            {
                if (datagram.Length > _receiveBuffer.Length && datagram.Length <= MaxDatagramSize)
                {
                    _receiveBuffer = new byte[datagram.Length];
                }

                int kept = Math.Min(datagram.Length, _receiveBuffer.Length);
                datagram[..kept].CopyTo(_receiveBuffer);
                Handle(source, _receiveBuffer.AsMemory(0, kept), datagram.Length);
            }
            finally
            {
                _loop.Exit();
            }

            return;
        }

        if (Interlocked.Increment(ref _queuedDatagrams) > MaxQueuedDatagrams)
        {
            Interlocked.Decrement(ref _queuedDatagrams);
            _counters.Dropped();
            return;
        }

        // Never more copies than the bound: a new one is made only while every other is queued.
        if (!_spareDatagrams.TryDequeue(out var queued))
        {
            queued = new QueuedDatagram(this);
        }

        queued.Fill(source, datagram);
        _loop.Post(static s => ((QueuedDatagram)s!).Handle(), queued);
    }

    internal void HandleQueued(QueuedDatagram queued)
    {
        try
        {
            Handle(queued.Source, queued.Datagram, queued.Length);
        }
        finally
        {
            _spareDatagrams.Enqueue(queued);
            Interlocked.Decrement(ref _queuedDatagrams);
        }
    }

    private void Handle(NetEndPoint source, ReadOnlyMemory<byte> datagram, int receivedLength)
    {
        if (_closed)
        {
            return;
        }

        var now = _time.GetUtcNow();
        _dispatcher.Dispatch(this, source, datagram, receivedLength, now);
        _timer.Arm(now);
        _publish?.Invoke(now);
    }

    /// <summary>A response or error arrived: the RPC manager matches it to our query.</summary>
    public void OnAnswer(KrpcMessage message, NetEndPoint source, DateTimeOffset now) => _rpc.Complete(message, source, now);

    /// <summary>A query arrived from <paramref name="sender"/>: it is a contact (questionable until it answers us).</summary>
    public void OnQueryFrom(KrpcMessage query, NetEndPoint sender, DateTimeOffset now)
    {
        if (!query.ReadOnly && query.Id != LocalId && !sender.IsUnusable)
        {
            var node = new NodeInfo(query.Id, sender);
            var inserted = Routing.Heard(node, isResponse: false, now);
            if (ExtensionReach.Advertises(query))
            {
                LearnExtension(node, ExtensionSupport.Speaks);
            }

            OnHeard(inserted, now);
            if (inserted.Outcome == InsertOutcome.Inserted)
            {
                // Only nodes that answered us are handed to others: verify a newcomer now, not at the next upkeep,
                // and learn from its answer whom it knows near us.
                Routing.MarkPinged(node.Id, now);
                var q = PrepareQuery(KrpcMethod.FindNode);
                q.Target = LocalId;
                q.Fields |= KrpcFields.Target;
                Send(q, node, Discovery, now);
            }
        }
    }

    /// <summary>Applies the RPC timeouts due at <paramref name="now"/>. Call on the loop.</summary>
    public void Tick(DateTimeOffset now) => _rpc.Tick(now);

    /// <summary>Fails every pending query and stops handling datagrams (shutdown). Call on the loop.</summary>
    public void Close(DateTimeOffset now)
    {
        _closed = true;
        _rpc.CancelAll(now);
    }

    // ---- IQueryNetwork -----------------------------------------------------------------------------------

    public KrpcMessage PrepareQuery(KrpcMethod method)
    {
        var q = _outgoing;
        q.Reset();
        q.Kind = KrpcMessageKind.Query;
        q.Method = method;
        q.Id = LocalId;
        q.Fields = KrpcFields.Id;
        return q;
    }

    public void Send(KrpcMessage query, NodeInfo node, IQueryObserver observer, DateTimeOffset now)
    {
        _rpc.Send(query, node.EndPoint, node.Id == default ? null : node.Id, observer, now);
        _timer.Arm(now);
    }

    public void FindClosest(NodeId target, int count, List<NodeInfo> into, NodeId? excluded = null) =>
        Routing.FindClosest(target, count, into, excluded);

    public ILookupAdvisor LookupAdvisor => _rpc;

    public ExtensionSupport ExtensionOf(NodeInfo node) =>
        Routing.TryGet(node.Id, out var contact) && contact.EndPoint == node.EndPoint ? contact.Extension : ExtensionSupport.Unknown;

    /// <summary>
    /// Like <see cref="FindClosest"/>, among contacts that answered one of our queries recently: the ones handed
    /// to other nodes.
    /// </summary>
    public void FindClosestVerified(NodeId target, int count, List<NodeInfo> into, DateTimeOffset now, NodeId? excluded) =>
        Routing.FindClosestVerified(target, count, into, now, excluded);

    public void LookupFinished(NodeId target, DateTimeOffset now) => Routing.Touch(target, now);

    // ---- Pings of routing upkeep --------------------------------------------------------------------------

    /// <summary>Pings a contact of the table (a questionable one, or an eviction candidate); its answer keeps it.</summary>
    public void Ping(NodeInfo node, DateTimeOffset now)
    {
        Routing.MarkPinged(node.Id, now);
        Send(PrepareQuery(KrpcMethod.Ping), node, _ignore, now);
    }

    /// <summary>Pings a node not in the table (a lost contact, or one heard of): an answer brings it in through the RPC monitor.</summary>
    public void PingNotInTable(NodeInfo node, DateTimeOffset now) => Send(PrepareQuery(KrpcMethod.Ping), node, _ignore, now);

    /// <summary>True while <paramref name="node"/> failed us lately (our lookups leave it alone).</summary>
    public bool IsAvoided(NodeInfo node, DateTimeOffset now) => _rpc.IsAvoided(node, now);

    // ---- Routing-table upkeep from every query outcome (IQueryObserver as the RPC monitor) -------------

    void IQueryObserver.OnResponse(PendingQuery query, KrpcMessage response, DateTimeOffset now)
    {
        if (response.ReadOnly || response.Id == LocalId)
        {
            return;
        }

        var node = new NodeInfo(response.Id, query.Destination);
        if (response.Has(KrpcFields.ExternalAddress) && CompactEncoding.TryReadPeer(response.ExternalAddress.Span, out var seen)
            && _publicAddress.Add(query.Destination, seen))
        {
            Volatile.Write(ref _publishedPublicEndPoint, seen); // boxed once per change of the winner
        }

        Lost.Remove(node.Id);
        var heard = Routing.Heard(node, isResponse: true, now, now - query.SentAt);
        if (ExtensionReach.IsExtensionMethod(query.Method))
        {
            LearnExtension(node, ExtensionReach.IsExtensionAnswer(query.Method, response) ? ExtensionSupport.Speaks : ExtensionSupport.Refuses);
        }
        else if (ExtensionReach.Advertises(response))
        {
            LearnExtension(node, ExtensionSupport.Speaks);
        }

        OnHeard(heard, now);
        if (heard.FirstResponse)
        {
            foreach (var listener in _contactListeners)
            {
                listener.OnContactVerified(this, node, response.ClientVersion.Span, now);
            }
        }
    }

    void IQueryObserver.OnFailure(PendingQuery query, QueryFailure failure, DateTimeOffset now)
    {
        if (query.ExpectedId is not { } id)
        {
            return;
        }

        if (failure == QueryFailure.ErrorReply)
        {
            // An error reply still proves the node is alive; 204 to our extension says it does not serve it.
            var node = new NodeInfo(id, query.Destination);
            Routing.Heard(node, isResponse: true, now);
            if (query.ErrorCode == KrpcErrorCode.MethodUnknown && ExtensionReach.IsExtensionMethod(query.Method))
            {
                LearnExtension(node, ExtensionSupport.Refuses);
            }
        }
        else if (failure is QueryFailure.Timeout or QueryFailure.InvalidResponse)
        {
            var node = new NodeInfo(id, query.Destination);
            Routing.Failed(node, now);
            if (!Routing.TryGet(id, out var contact) || contact.State(now, Routing.Options) == ContactState.Bad)
            {
                Lost.Add(node, now);
            }
        }
    }

    void IQueryObserver.OnSoftTimeout(PendingQuery query, DateTimeOffset now)
    {
    }

    // A full bucket with questionable contacts: ping its least recently seen one (BEP 5) to free a slot.
    private void OnHeard(InsertResult inserted, DateTimeOffset now)
    {
        if (inserted.Outcome == InsertOutcome.Pending && inserted.PingCandidate is { } candidate)
        {
            Ping(candidate, now);
        }
    }

    private void LearnExtension(NodeInfo node, ExtensionSupport support)
    {
        if (Routing.TryGet(node.Id, out var contact) && contact.EndPoint == node.EndPoint)
        {
            contact.Learn(support);
        }
    }

    private sealed class IgnoringObserver : IQueryObserver
    {
        public void OnResponse(PendingQuery query, KrpcMessage response, DateTimeOffset now)
        {
        }

        public void OnFailure(PendingQuery query, QueryFailure failure, DateTimeOffset now)
        {
        }

        public void OnSoftTimeout(PendingQuery query, DateTimeOffset now)
        {
        }
    }
}
