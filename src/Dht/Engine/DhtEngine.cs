// The node: one owner of all node state (routing table, RPC transactions, lookups, stores), driven by
// three kinds of events — a datagram arrived, the node's single timer fired, or the application called an
// operation. Every entry point takes the node's gate, so the state is only ever touched by one thread at a
// time; inside, nothing blocks and nothing is shared.
//
// The engine never reads a wall clock (TimeProvider), never draws randomness except from its
// IRandomSource, and never touches a socket except through IDatagramTransport: the same code runs over
// UDP and, with thousands of instances, over the simulated network under a virtual clock.
//
// Continuations of the engine's internal tasks run inline on whichever thread completes them, which is
// always a thread inside the gate; that keeps simulations deterministic. The public DhtNode facade hands
// results back to the application off that thread.
//
// Departures from BEP 5: nodes that only query us are added to the table as questionable (pinged before
// they count as good) rather than ignored; get_peers answers carry both "values" and "nodes" so that a
// lookup never stalls at a node that happens to store peers.
using System.Buffers;
using Dht.Lookups;
using Dht.Peers;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Routing;
using Dht.Rpc;
using Dht.Tokens;
using Dht.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dht.Engine;

/// <summary>The Kademlia node engine (not thread-safe by itself: every entry point takes the gate).</summary>
internal sealed partial class DhtEngine : IDatagramReceiver, IQueryObserver, IAsyncDisposable
{
    /// <summary>Our client version in KRPC's top-level <c>v</c>: "KV" and version 0.1.</summary>
    public static ReadOnlyMemory<byte> ClientVersion { get; } = new byte[] { (byte)'K', (byte)'V', 0, 1 };

    private readonly object _gate = new();
    private readonly DhtOptions _options;
    private readonly IDatagramTransport _transport;
    private readonly TimeProvider _time;
    private readonly IRandomSource _random;
    private readonly ILogger _logger;
    private readonly RpcManager _rpc;
    private readonly TokenManager _tokens;
    private readonly IPeerStore _peers;
    private readonly RateLimiter _rateLimiter;
    private readonly LookupOptions _lookupOptions;
    private readonly HashSet<LookupOperation> _lookups = [];
    private readonly List<IQueryExtension> _extensions = [];
    private readonly Storage.INodeStateStore? _state;

    // Up to 64 lost contacts, retried after 1 minute, backing off to hourly, forgotten after a day.
    private readonly LostContacts _lost = new(64, TimeSpan.FromMinutes(1), TimeSpan.FromHours(1), TimeSpan.FromDays(1));
    private readonly NetEndPoint[] _savedContacts;
    private DateTimeOffset _nextContactSave;
    private readonly KrpcMessage _incoming = new();
    private readonly KrpcMessage _reply = new();
    private readonly KrpcMessage _outgoing = new();
    private readonly ArrayBufferWriter<byte> _replyBuffer = new(1500);
    private readonly ArrayBufferWriter<byte> _valuesBuffer = new(512);
    private readonly List<NodeInfo> _closest = [];
    private readonly List<NetEndPoint> _peerScratch = [];
    private readonly List<NodeId> _refreshTargets = [];
    private readonly byte[] _nodesScratch;
    private readonly byte[] _errorScratch = new byte[KrpcParser.MaxTransactionIdLength + (128 * 3)];
    private readonly byte[] _tokenScratch = new byte[TokenManager.TokenSize];
    private readonly byte[] _addressScratch = new byte[CompactEncoding.PeerV6Size];
    private readonly IQueryObserver _ignore = new IgnoringObserver();
    private byte[] _receiveBuffer = new byte[2048];
    private ITimer? _timer;
    private DateTimeOffset _armedFor = DateTimeOffset.MaxValue;
    private DateTimeOffset _nextMaintenance;
    private Task? _bootstrap;
    private bool _started;
    private bool _disposed;

    public DhtEngine(
        DhtOptions options,
        IDatagramTransport transport,
        TimeProvider time,
        IRandomSource random,
        ILogger? logger = null,
        IPeerStore? peers = null,
        Storage.INamedValueStore? namedValues = null,
        Storage.IItemStore? items = null,
        Storage.INodeStateStore? state = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _transport = transport;
        _time = time;
        _random = random;
        _logger = logger ?? NullLogger.Instance;
        _state = state;

        // A restarted node comes back as itself: same id, same signing key.
        if (state is not null && state.TryLoadIdentity(out var savedId, out var seed) && (options.NodeId is null || options.NodeId == savedId))
        {
            Id = savedId;
            SigningKey = Crypto.Ed25519KeyPair.FromSeed(seed);
        }
        else
        {
            Id = options.NodeId ?? RandomId(random);
            Span<byte> newSeed = stackalloc byte[Crypto.Ed25519KeyPair.SeedSize];
            random.NextBytes(newSeed);
            SigningKey = Crypto.Ed25519KeyPair.FromSeed(newSeed);
            state?.SaveIdentity(Id, newSeed);
        }

        _savedContacts = state?.LoadContacts().Select(c => c.EndPoint).Take(MaxSavedContacts).ToArray() ?? [];
        var now = time.GetUtcNow();
        Routing = new RoutingTable(Id, new RoutingTableOptions
        {
            BucketSize = options.BucketSize,
            RefreshInterval = options.BucketRefreshInterval,
        }, now);
        _rpc = new RpcManager(transport, this, Counters, random, options.SoftTimeout, options.QueryTimeout,
            options.MaxPendingQueries, ClientVersion, options.ReadOnly, roundTrips: Routing);
        _tokens = new TokenManager(options.TokenRotationInterval);
        _peers = peers ?? new InMemoryPeerStore(new PeerStoreOptions
        {
            PeerLifetime = options.PeerLifetime,
            MaxPeersPerInfoHash = options.MaxPeersPerInfoHash,
            MaxInfoHashes = options.MaxInfoHashes,
            MaxPeersPerReply = options.MaxPeersPerResponse,
        });
        _rateLimiter = new RateLimiter(
            options.MaxQueriesPerSecondPerIp, options.RateLimitBlockDuration, options.RateLimiterCapacity, options.MaxReplyBytesPerSecondPerIp);
        _lookupOptions = new LookupOptions
        {
            K = options.BucketSize,
            Alpha = options.Alpha,
            SoftTimeout = options.SoftTimeout,
            HardTimeout = options.QueryTimeout,
        };
        _nodesScratch = new byte[options.BucketSize * CompactEncoding.NodeV6Size];
        StartedAt = now;
        Items = new ItemService(this, items ?? new Storage.InMemoryItemStore(), options.StorageLimits);
        _extensions.Add(Items);
        if (options.EnableNamedValues)
        {
            NamedValues = new NamedValueService(this, namedValues ?? new Storage.InMemoryNamedValueStore(), options.StorageLimits, state);
            _extensions.Add(NamedValues);
        }
    }

    /// <summary>How many saved contacts a restarted node pings to rejoin, and how many it saves.</summary>
    internal const int MaxSavedContacts = 200;

    /// <summary>How often the routing contacts are saved (also at shutdown).</summary>
    internal static readonly TimeSpan ContactSaveInterval = TimeSpan.FromMinutes(5);

    public NodeId Id { get; }

    /// <summary>The node's own ed25519 key pair, for signed values; kept with the node's identity.</summary>
    public Crypto.Ed25519KeyPair SigningKey { get; }

    /// <summary>Contacts saved by an earlier run: pinged when joining, like bootstrap nodes.</summary>
    internal IReadOnlyList<NetEndPoint> SavedContacts => _savedContacts;

    public NetEndPoint LocalEndPoint => _transport.LocalEndPoint;

    public RoutingTable Routing { get; }

    public NodeCounters Counters { get; } = new();

    public DhtOptions Options => _options;

    public TimeProvider Time => _time;

    public DateTimeOffset StartedAt { get; }

    /// <summary>The lock every entry point takes; exposed so that the facade can read consistent snapshots.</summary>
    internal object Gate => _gate;

    internal IPeerStore Peers => _peers;

    internal int ActiveLookups => _lookups.Count;

    internal int PendingQueries => _rpc.PendingCount;

    /// <summary>Starts receiving and the maintenance timer. Bootstrapping is a separate step.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_started)
            {
                return;
            }

            _started = true;
            _nextMaintenance = _time.GetUtcNow() + _options.MaintenanceInterval;
            _timer = _time.CreateTimer(static s => ((DhtEngine)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            Arm(_time.GetUtcNow());
        }

        _transport.Start(this);
    }

    // ---- Incoming datagrams ---------------------------------------------------------------------------

    public void OnDatagram(NetEndPoint source, ReadOnlySpan<byte> datagram)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var now = _time.GetUtcNow();
            Counters.DatagramsReceived++;
            if (datagram.Length > _receiveBuffer.Length)
            {
                if (datagram.Length > 65_536)
                {
                    Counters.InvalidMessages++;
                    return;
                }

                _receiveBuffer = new byte[datagram.Length];
            }

            datagram.CopyTo(_receiveBuffer);
            var message = _incoming;
            var parsed = KrpcParser.Parse(_receiveBuffer.AsMemory(0, datagram.Length), message);
            if (!parsed.IsOk)
            {
                Counters.InvalidMessages++;
                LogInvalid(source, parsed.Reason ?? "invalid");

                // Only a query with a transaction id is answered: never a datagram without one (a reflector's
                // favourite), never a response or an error (no ping-pong between two confused nodes).
                if (KrpcParser.IsAnswerable(message))
                {
                    int code = parsed.Status == KrpcParseStatus.MethodUnknown ? KrpcErrorCode.MethodUnknown : KrpcErrorCode.Protocol;
                    if (_rateLimiter.Allow(source, datagram.Length, now))
                    {
                        SendError(source, message.TransactionId.Span, code, parsed.Reason ?? "invalid message", now);
                    }
                }

                return;
            }

            switch (message.Kind)
            {
                case KrpcMessageKind.Query:
                    HandleQuery(source, message, datagram.Length, now);
                    break;
                case KrpcMessageKind.Response:
                case KrpcMessageKind.Error:
                    _rpc.Complete(message, source, now);
                    break;
            }

            Arm(now);
        }
    }

    private void HandleQuery(NetEndPoint source, KrpcMessage query, int queryBytes, DateTimeOffset now)
    {
        if (_options.ReadOnly)
        {
            // BEP 43: read-only nodes do not answer queries.
            return;
        }

        if (!_rateLimiter.Allow(source, queryBytes, now))
        {
            Counters.RateLimited++;
            return;
        }

        Counters.QueriesReceivedByMethod[(int)query.Method]++;
        if (!query.ReadOnly && query.Id != Id && !source.IsUnusable)
        {
            var inserted = Routing.Heard(new NodeInfo(query.Id, source), isResponse: false, now);
            OnHeard(inserted, new NodeInfo(query.Id, source), now);
            if (inserted.Outcome == InsertOutcome.Inserted)
            {
                // Only nodes that answered us are handed to others: verify a newcomer now, not at the next upkeep.
                Ping(new NodeInfo(query.Id, source), now);
            }
        }

        var r = _reply;
        r.Reset();
        r.Kind = KrpcMessageKind.Response;
        r.TransactionId = query.TransactionId;
        r.Id = Id;
        r.ClientVersion = ClientVersion;
        int n = CompactEncoding.WritePeer(source, _addressScratch);
        r.ExternalAddress = _addressScratch.AsMemory(0, n);
        r.Fields = KrpcFields.Id | KrpcFields.ClientVersion | KrpcFields.ExternalAddress;

        switch (query.Method)
        {
            case KrpcMethod.Ping:
                break;
            case KrpcMethod.FindNode:
                AddClosestNodes(r, query.Target, query.Id);
                break;
            case KrpcMethod.GetPeers:
                AddToken(r, source, now);
                AddPeers(r, query.InfoHash, now);
                AddClosestNodes(r, query.InfoHash, query.Id);
                break;
            case KrpcMethod.AnnouncePeer:
                if (!_tokens.Validate(source, query.Token.Span, now))
                {
                    SendError(source, query.TransactionId.Span, KrpcErrorCode.Protocol, "bad token", now);
                    return;
                }

                ushort port = query.ImpliedPort ? source.Port : (ushort)query.Port;
                if (_peers.Announce(query.InfoHash, source.WithPort(port), query.Seed, now, source).ToKrpcErrorCode() is { } refused)
                {
                    SendError(source, query.TransactionId.Span, refused, PeerAnnounceResultExtensions.SourceLimitMessage, now);
                    return;
                }

                break;
            default:
                if (ExtensionFor(query.Method) is { } extension)
                {
                    var outcome = extension.Handle(source, query, r, now);
                    if (outcome.IsError)
                    {
                        SendError(source, query.TransactionId.Span, outcome.ErrorCode, outcome.ErrorMessage ?? "error", now);
                        return;
                    }

                    if (outcome.Durable is { IsCompletedSuccessfully: false } durable)
                    {
                        ReplyWhenDurable(source, query.TransactionId.Span, r, durable);
                        return;
                    }

                    break;
                }

                SendError(source, query.TransactionId.Span, KrpcErrorCode.MethodUnknown, "method unknown", now);
                return;
        }

        _replyBuffer.ResetWrittenCount();
        KrpcWriter.Write(r, _replyBuffer);
        if (!_rateLimiter.TrySpendReply(source, _replyBuffer.WrittenCount, now))
        {
            Counters.RepliesOverBudget++;
            return;
        }

        _transport.Send(source, _replyBuffer.WrittenSpan);
        Counters.DatagramsSent++;
    }

    // A store is acknowledged only once it is durable: the reply is encoded now (it borrows scratch buffers)
    // and sent when the storage writer has committed it, under the gate again; a failed write is answered
    // with 202. Nothing waits here.
    private void ReplyWhenDurable(NetEndPoint destination, ReadOnlySpan<byte> transactionId, KrpcMessage reply, Task durable)
    {
        _replyBuffer.ResetWrittenCount();
        KrpcWriter.Write(reply, _replyBuffer);
        var datagram = _replyBuffer.WrittenSpan.ToArray();
        var transaction = transactionId.ToArray();
        durable.ContinueWith(
            task =>
            {
                lock (_gate)
                {
                    if (_disposed)
                    {
                        return;
                    }

                    if (task.IsCompletedSuccessfully)
                    {
                        _transport.Send(destination, datagram);
                        Counters.DatagramsSent++;
                    }
                    else
                    {
                        SendError(destination, transaction, KrpcErrorCode.Server, "storage unavailable", _time.GetUtcNow());
                    }
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }

    /// <summary>The named-value store, unless <see cref="DhtOptions.EnableNamedValues"/> is off.</summary>
    internal NamedValueService? NamedValues { get; }

    /// <summary>BEP 44 items.</summary>
    internal ItemService Items { get; }

    private IQueryExtension? ExtensionFor(KrpcMethod method)
    {
        foreach (var extension in _extensions)
        {
            if (extension.Serves(method))
            {
                return extension;
            }
        }

        return null;
    }

    internal IRandomSource Random => _random;

    /// <summary>Checks a write token we handed to <paramref name="source"/>.</summary>
    internal bool ValidateToken(NetEndPoint source, ReadOnlySpan<byte> token, DateTimeOffset now) => _tokens.Validate(source, token, now);

    /// <summary>Sends a query prepared with <see cref="PrepareQuery"/>. Call inside the gate.</summary>
    internal void SendQuery(KrpcMessage query, NodeInfo node, IQueryObserver observer, DateTimeOffset now)
    {
        _rpc.Send(query, node.EndPoint, node.Id == default ? null : node.Id, observer, now);
        Arm(now);
    }

    /// <summary>
    /// Adds the k contacts closest to <paramref name="target"/> as compact "nodes", leaving out
    /// <paramref name="querier"/>: it knows itself, and when it is among the k closest (in a small network, or
    /// looking up a neighbour) its slot is the one that names the k-th node (rust-libp2p's find_closest does
    /// the same).
    /// </summary>
    internal void AddClosestNodes(KrpcMessage r, NodeId target, NodeId querier)
    {
        _closest.Clear();
        Routing.FindClosestVerified(target, _options.BucketSize, _closest, _time.GetUtcNow(), excluded: querier);
        int length = 0;
        foreach (var node in _closest)
        {
            if (!node.EndPoint.IsIPv6)
            {
                length += CompactEncoding.WriteNode(node, _nodesScratch.AsSpan(length));
            }
        }

        r.Nodes = _nodesScratch.AsMemory(0, length);
        r.Fields |= KrpcFields.Nodes;
    }

    /// <summary>Adds a write token for <paramref name="source"/>.</summary>
    internal void AddToken(KrpcMessage r, NetEndPoint source, DateTimeOffset now)
    {
        int n = _tokens.WriteToken(source, now, _tokenScratch);
        r.Token = _tokenScratch.AsMemory(0, n);
        r.Fields |= KrpcFields.Token;
    }

    private void AddPeers(KrpcMessage r, NodeId infoHash, DateTimeOffset now)
    {
        _peerScratch.Clear();
        if (_peers.GetPeers(infoHash, now, _options.MaxPeersPerResponse, _random.AsRandom, _peerScratch) == 0)
        {
            return;
        }

        _valuesBuffer.ResetWrittenCount();
        KrpcLists.WritePeers(_peerScratch, _valuesBuffer);
        r.Values = _valuesBuffer.WrittenMemory;
        r.Fields |= KrpcFields.Values;
    }

    private void SendError(NetEndPoint destination, ReadOnlySpan<byte> transactionId, int code, string text, DateTimeOffset now)
    {
        var e = _reply;
        e.Reset();
        e.Kind = KrpcMessageKind.Error;
        // Both parts are copied into one scratch buffer: the transaction id may slice the receive buffer, and
        // error replies must not allocate (they answer floods of garbage).
        transactionId.CopyTo(_errorScratch);
        int messageLength = System.Text.Encoding.UTF8.GetBytes(
            text.AsSpan(0, Math.Min(text.Length, 128)), _errorScratch.AsSpan(transactionId.Length));
        e.TransactionId = _errorScratch.AsMemory(0, transactionId.Length);
        e.ErrorCode = code;
        e.ErrorMessage = _errorScratch.AsMemory(transactionId.Length, messageLength);
        e.ClientVersion = ClientVersion;
        e.Fields = KrpcFields.ClientVersion;
        _replyBuffer.ResetWrittenCount();
        KrpcWriter.Write(e, _replyBuffer);
        if (!_rateLimiter.TrySpendReply(destination, _replyBuffer.WrittenCount, now))
        {
            Counters.RepliesOverBudget++;
            return;
        }

        _transport.Send(destination, _replyBuffer.WrittenSpan);
        Counters.ErrorsSent++;
        Counters.DatagramsSent++;
    }

    // ---- Routing-table upkeep from every query outcome (IQueryObserver as the RPC monitor) -------------

    void IQueryObserver.OnResponse(PendingQuery query, KrpcMessage response, DateTimeOffset now)
    {
        if (response.ReadOnly || response.Id == Id)
        {
            return;
        }

        var node = new NodeInfo(response.Id, query.Destination);
        _lost.Remove(node.Id);
        OnHeard(Routing.Heard(node, isResponse: true, now, now - query.SentAt), node, now);
    }

    private void OnHeard(InsertResult inserted, NodeInfo node, DateTimeOffset now)
    {
        if (inserted.Outcome == InsertOutcome.Pending && inserted.PingCandidate is { } candidate)
        {
            Ping(candidate, now);
        }
        else if (inserted.Outcome == InsertOutcome.Inserted)
        {
            foreach (var extension in _extensions)
            {
                extension.OnContactAdded(node, now);
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
            // An error reply still proves the node is alive (Mainline nodes answer our extensions with 204).
            Routing.Heard(new NodeInfo(id, query.Destination), isResponse: true, now);
        }
        else if (failure is QueryFailure.Timeout or QueryFailure.InvalidResponse)
        {
            var node = new NodeInfo(id, query.Destination);
            Routing.Failed(node, now);
            if (!Routing.TryGet(id, out var contact) || contact.State(now, Routing.Options) == ContactState.Bad)
            {
                _lost.Add(node, now);
            }
        }
    }

    void IQueryObserver.OnSoftTimeout(PendingQuery query, DateTimeOffset now)
    {
    }

    // ---- Timer and maintenance ----------------------------------------------------------------------

    private void OnTimer()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var now = _time.GetUtcNow();
            _armedFor = DateTimeOffset.MaxValue;
            _rpc.Tick(now);
            if (now >= _nextMaintenance)
            {
                _nextMaintenance = now + _options.MaintenanceInterval;
                Maintain(now);
            }

            Arm(now);
        }
    }

    /// <summary>Makes sure the timer fires by the next deadline.</summary>
    private void Arm(DateTimeOffset now)
    {
        var next = _nextMaintenance;
        if (_rpc.NextDeadline is { } rpcDue && rpcDue < next)
        {
            next = rpcDue;
        }

        if (next < _armedFor && _timer is not null)
        {
            _armedFor = next;
            var due = next - now;
            _timer.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
        }
    }

    private void Maintain(DateTimeOffset now)
    {
        _rateLimiter.Prune(now);
        if (_state is not null && now >= _nextContactSave)
        {
            _nextContactSave = now + ContactSaveInterval;
            SaveContacts();
        }

        _peers.Expire(now);
        foreach (var extension in _extensions)
        {
            extension.Maintain(now);
        }

        if (_options.ReadOnly)
        {
            return;
        }

        _closest.Clear();
        Routing.QuestionableToPing(now, 8, _closest);
        foreach (var node in _closest)
        {
            Ping(node, now);
        }

        _lost.Due(now, 8, _closest);
        foreach (var node in _closest)
        {
            PingLost(node, now);
        }

        // Bad contacts stay in their buckets until replaced, so "lost every contact" means no usable one.
        Routing.FindClosest(Id, 1, _closest);
        if (_closest.Count == 0)
        {
            if (_options.BootstrapNodes.Count + _savedContacts.Length > 0 && (_bootstrap is null || _bootstrap.IsCompleted))
            {
                LogRebootstrap();
                _bootstrap = Observe(BootstrapCoreAsync(CancellationToken.None));
            }

            return;
        }

        _refreshTargets.Clear();
        Routing.BucketsNeedingRefresh(now, _random.AsRandom, _refreshTargets);
        foreach (var target in _refreshTargets)
        {
            if (_lookups.Count >= _options.MaxConcurrentOperations / 2)
            {
                break;
            }

            StartLookup(KrpcMethod.FindNode, target, null, now);
        }
    }

    // A lost contact is not in the table: no MarkPinged; an answer brings it back through the RPC monitor.
    private void PingLost(NodeInfo node, DateTimeOffset now) =>
        _rpc.Send(PrepareQuery(KrpcMethod.Ping), node.EndPoint, node.Id, _ignore, now);

    private void Ping(NodeInfo node, DateTimeOffset now)
    {
        Routing.MarkPinged(node.Id, now);
        var q = PrepareQuery(KrpcMethod.Ping);
        _rpc.Send(q, node.EndPoint, node.Id, _ignore, now);
    }

    // ---- Lookups -------------------------------------------------------------------------------------

    /// <summary>The reusable outgoing query, reset, with our id. Call inside the gate.</summary>
    internal KrpcMessage PrepareQuery(KrpcMethod method)
    {
        var q = _outgoing;
        q.Reset();
        q.Kind = KrpcMessageKind.Query;
        q.Method = method;
        q.Id = Id;
        q.Fields = KrpcFields.Id;
        return q;
    }

    /// <summary>Starts a lookup seeded from the routing table. Call inside the gate.</summary>
    internal LookupOperation StartLookup(
        KrpcMethod method, NodeId target, Action<NodeInfo, KrpcMessage>? onResponse, DateTimeOffset now, Action<LookupOperation>? started = null)
    {
        _closest.Clear();
        Routing.FindClosest(target, Math.Max(_options.BucketSize * 2, 16), _closest);
        var lookup = new ClosestNodesLookup(target, _closest, _lookupOptions, _rpc);
        lookup.Exclude(Id);
        var op = new LookupOperation(this, method, target, lookup, onResponse, now);
        _lookups.Add(op);
        started?.Invoke(op);
        op.Pump(now);
        return op;
    }

    internal void SendLookupQuery(LookupOperation op, NodeInfo node, DateTimeOffset now)
    {
        var q = PrepareQuery(op.Method);
        switch (op.Method)
        {
            case KrpcMethod.GetPeers:
                q.InfoHash = op.Target;
                q.Fields |= KrpcFields.InfoHash;
                break;
            default:
                q.Target = op.Target;
                q.Fields |= KrpcFields.Target;
                break;
        }

        _rpc.Send(q, node.EndPoint, node.Id, op, now);
    }

    internal void OnLookupFinished(LookupOperation op)
    {
        _lookups.Remove(op);
        Routing.Touch(op.Target, _time.GetUtcNow());
    }

    /// <summary>Runs a lookup to completion. Honours cancellation.</summary>
    /// <param name="method">The query each step sends.</param>
    /// <param name="target">The id looked up.</param>
    /// <param name="onResponse">Sees every answer (inside the gate).</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <param name="started">Receives the running lookup before its first query, so that a callback can end it early.</param>
    internal async Task<LookupOperation> RunLookupAsync(
        KrpcMethod method,
        NodeId target,
        Action<NodeInfo, KrpcMessage>? onResponse,
        CancellationToken cancellationToken,
        Action<LookupOperation>? started = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        LookupOperation op;
        lock (_gate)
        {
            ThrowIfDisposed();
            var now = _time.GetUtcNow();
            op = StartLookup(method, target, onResponse, now, started);
            Arm(now);
        }

        await using var registration = cancellationToken.Register(() =>
        {
            lock (_gate)
            {
                op.Cancel(cancellationToken);
            }
        });
        return await op.Completion;
    }

    // ---- Operations ----------------------------------------------------------------------------------

    /// <summary>Iterative find_node for <paramref name="target"/>.</summary>
    public async Task<LookupResult> FindNodeAsync(NodeId target, CancellationToken cancellationToken = default)
    {
        var op = await RunLookupAsync(KrpcMethod.FindNode, target, null, cancellationToken);
        return op.ToResult();
    }

    /// <summary>Pings an endpoint; the answer adds the node to the routing table.</summary>
    public async Task<PingResult> PingAsync(NetEndPoint endPoint, CancellationToken cancellationToken = default)
    {
        SingleQuery<NodeId> query = new(static r => r.Id);
        lock (_gate)
        {
            ThrowIfDisposed();
            var now = _time.GetUtcNow();
            _rpc.Send(PrepareQuery(KrpcMethod.Ping), endPoint, null, query, now);
            Arm(now);
        }

        var outcome = await query.Task.WaitAsync(cancellationToken);
        return new PingResult(endPoint, outcome.Answered, outcome.Answered ? outcome.Value : null, outcome.RoundTrip);
    }

    /// <summary>
    /// Joins the network: pings the bootstrap nodes, looks up our own id, then refreshes every bucket farther
    /// away than our closest neighbour (the paper's join procedure).
    /// </summary>
    public Task<BootstrapResult> BootstrapAsync(CancellationToken cancellationToken = default) => BootstrapCoreAsync(cancellationToken);

    private async Task<BootstrapResult> BootstrapCoreAsync(CancellationToken cancellationToken)
    {
        var pings = _options.BootstrapNodes.Concat(_savedContacts).Distinct().Select(ep => PingAsync(ep, cancellationToken)).ToArray();
        var answers = await Task.WhenAll(pings);
        int reached = answers.Count(a => a.Answered);
        if (reached == 0 && Routing.Count == 0)
        {
            return new BootstrapResult(_options.BootstrapNodes.Count, 0, 0);
        }

        await FindNodeAsync(Id, cancellationToken);
        List<Task<LookupResult>> refreshes = [];
        lock (_gate)
        {
            _closest.Clear();
            Routing.FindClosest(Id, 1, _closest);
            int depth = _closest.Count == 0 ? 0 : Id.CommonPrefixLength(_closest[0].Id);
            for (int i = 0; i < depth && i < NodeId.Bits; i++)
            {
                refreshes.Add(FindNodeAsync(Id.RandomWithPrefix(i, _random.AsRandom), cancellationToken));
            }
        }

        await Task.WhenAll(refreshes);
        int contacts;
        lock (_gate)
        {
            contacts = Routing.Count;

            // Joined: save the contacts now (a node killed before its first save could not rejoin), and put back
            // what this node published before a restart rather than an hour from now.
            SaveContacts();
            NamedValues?.RepublishSoon();
        }

        LogBootstrapped(reached, contacts);
        return new BootstrapResult(_options.BootstrapNodes.Count, reached, contacts);
    }

    /// <summary>
    /// get_peers lookup for <paramref name="infoHash"/>: reports each new peer to <paramref name="onPeer"/>
    /// (inside the gate) and returns the finished lookup, whose tokens serve a following announce.
    /// </summary>
    internal Task<LookupOperation> GetPeersAsync(NodeId infoHash, Action<NetEndPoint> onPeer, CancellationToken cancellationToken)
    {
        HashSet<NetEndPoint> seen = [];
        List<NetEndPoint> scratch = [];
        return RunLookupAsync(KrpcMethod.GetPeers, infoHash, (_, response) =>
        {
            if (!response.Has(KrpcFields.Values))
            {
                return;
            }

            scratch.Clear();
            KrpcLists.ReadPeers(response.Values.Span, scratch, _options.MaxPeersPerResponse * 2);
            foreach (var peer in scratch)
            {
                if (seen.Count < 10_000 && seen.Add(peer))
                {
                    onPeer(peer);
                }
            }
        }, cancellationToken);
    }

    /// <summary>Collects the peers of an info-hash into a list.</summary>
    public async Task<IReadOnlyList<NetEndPoint>> GetPeersListAsync(NodeId infoHash, CancellationToken cancellationToken = default)
    {
        List<NetEndPoint> peers = [];
        await GetPeersAsync(infoHash, peers.Add, cancellationToken);
        return peers;
    }

    /// <summary>
    /// Announces that we are a peer for <paramref name="infoHash"/> on <paramref name="port"/> (null: the port
    /// we receive on, sent as implied_port) to the k closest nodes, with the tokens of a get_peers lookup.
    /// </summary>
    public async Task<AnnounceResult> AnnounceAsync(NodeId infoHash, int? port, CancellationToken cancellationToken = default)
    {
        if (port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(port), "A port is 1 to 65535.");
        }

        var lookup = await GetPeersAsync(infoHash, static _ => { }, cancellationToken);
        var batch = new QueryBatch();
        lock (_gate)
        {
            ThrowIfDisposed();
            var now = _time.GetUtcNow();
            foreach (var node in lookup.Lookup.Results)
            {
                if (!lookup.Tokens.TryGetValue(node.Id, out var token))
                {
                    continue;
                }

                var q = PrepareQuery(KrpcMethod.AnnouncePeer);
                q.InfoHash = infoHash;
                q.Token = token;
                q.Fields |= KrpcFields.InfoHash | KrpcFields.Token | KrpcFields.Port;
                if (port is { } p)
                {
                    q.Port = p;
                }
                else
                {
                    q.Port = LocalEndPoint.Port;
                    q.ImpliedPort = true;
                    q.Fields |= KrpcFields.ImpliedPort;
                }

                batch.Add();
                _rpc.Send(q, node.EndPoint, node.Id, batch, now);
            }

            batch.Seal();
            Arm(now);
        }

        await batch.Task.WaitAsync(cancellationToken);
        return new AnnounceResult(infoHash, batch.Succeeded.Count, lookup.Lookup.Results.Count);
    }

    /// <summary>Stores a named value on the k closest nodes (DESIGN.md section 3).</summary>
    public Task<PutResult> PutAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        RequireNamedValues().PutAsync(key, value, null, cancellationToken);

    /// <summary>Reads the newest version of a named value.</summary>
    public Task<GetResult> GetAsync(string key, CancellationToken cancellationToken = default) =>
        RequireNamedValues().GetAsync(key, cancellationToken);

    /// <summary>Deletes a named value (a tombstone with a higher version).</summary>
    public Task<PutResult> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        RequireNamedValues().DeleteAsync(key, cancellationToken);

    /// <summary>Stores a BEP 44 immutable item (the value as a bencoded byte string).</summary>
    public Task<ItemPutResult> PutImmutableAsync(ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        Items.PutImmutableAsync(value, cancellationToken);

    /// <summary>Reads a BEP 44 immutable item by its target (SHA-1 of the encoded value).</summary>
    public Task<ItemGetResult> GetImmutableAsync(NodeId target, CancellationToken cancellationToken = default) =>
        Items.GetImmutableAsync(target, cancellationToken);

    /// <summary>Stores the next version of a BEP 44 mutable item signed by <paramref name="keyPair"/>.</summary>
    public Task<ItemPutResult> PutMutableAsync(
        Crypto.Ed25519KeyPair keyPair, ReadOnlyMemory<byte> salt, ReadOnlyMemory<byte> value, long? cas = null, CancellationToken cancellationToken = default) =>
        Items.PutMutableAsync(keyPair, salt, value, cas, cancellationToken);

    /// <summary>Reads the newest validly signed version of a BEP 44 mutable item.</summary>
    public Task<ItemGetResult> GetMutableAsync(ReadOnlyMemory<byte> publicKey, ReadOnlyMemory<byte> salt, CancellationToken cancellationToken = default) =>
        Items.GetMutableAsync(publicKey, salt, cancellationToken);

    private NamedValueService RequireNamedValues() =>
        NamedValues ?? throw new InvalidOperationException("Named values are turned off (DhtOptions.EnableNamedValues).");

    /// <summary>A consistent snapshot of the node for <c>status</c>.</summary>
    public NodeStatus GetStatus()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            return new NodeStatus(
                Id,
                LocalEndPoint,
                now - StartedAt,
                Routing.Count,
                Routing.Snapshot(now)
                    .Select(b => new BucketStatus(b.Index, b.PrefixLength, b.IsLast, b.Count, b.Good, b.Questionable, b.Replacements))
                    .ToArray(),
                Counters.TotalQueriesReceived,
                Counters.TotalQueriesSent,
                Counters.TotalTimeouts,
                Counters.InvalidMessages,
                _peers.InfoHashCount,
                _peers.PeerCount,
                _rpc.PendingCount,
                _lookups.Count,
                NamedValues?.Count ?? 0,
                NamedValues?.TotalBytes ?? 0,
                Items.Count,
                Items.TotalBytes);
        }
    }

    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return ValueTask.CompletedTask;
            }

            _disposed = true;
            _timer?.Dispose();
            SaveContacts();
            _rpc.CancelAll(_time.GetUtcNow());
            foreach (var op in _lookups.ToArray())
            {
                op.Cancel(CancellationToken.None);
            }
        }

        return _transport.DisposeAsync();
    }

    /// <summary>Saves the good and questionable contacts, most recently seen first. Call inside the gate.</summary>
    private void SaveContacts()
    {
        if (_state is null)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var options = Routing.Options;
        _state.SaveContacts(Routing.Contacts
            .Where(c => c.State(now, options) != ContactState.Bad)
            .OrderByDescending(c => c.LastSeen)
            .Take(MaxSavedContacts)
            .Select(c => (c.Id, c.EndPoint, c.LastSeen))
            .ToArray());
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private static NodeId RandomId(IRandomSource random)
    {
        Span<byte> bytes = stackalloc byte[NodeId.Size];
        random.NextBytes(bytes);
        return new NodeId(bytes);
    }

    /// <summary>Logs a background task's failure instead of losing it.</summary>
    internal Task Observe(Task task)
    {
        task.ContinueWith(
            (t, s) => ((DhtEngine)s!).LogBackgroundFailure(t.Exception!.GetBaseException()),
            this,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return task;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Invalid message from {Source}: {Reason}")]
    private partial void LogInvalid(NetEndPoint source, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Routing table empty: bootstrapping again")]
    private partial void LogRebootstrap();

    [LoggerMessage(Level = LogLevel.Information, Message = "Bootstrapped: {Reached} bootstrap node(s) answered, {Contacts} contacts")]
    private partial void LogBootstrapped(int reached, int contacts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Background operation failed")]
    private partial void LogBackgroundFailure(Exception exception);

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
