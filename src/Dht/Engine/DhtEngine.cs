// The node: one owner of all node state (routing table, RPC transactions, lookups, stores), driven by
// three kinds of events — a datagram arrived, the node's single timer fired, or the application called an
// operation. Every one of them runs on the node's loop (Loop/NodeLoop), so the state is only ever touched by
// one thread at a time; inside, nothing blocks and nothing takes a lock.
//
// The engine never reads a wall clock (TimeProvider), never draws randomness except from its
// IRandomSource, and never touches a socket except through IDatagramTransport: the same code runs over
// UDP and, with thousands of instances, over the simulated network under a virtual clock.
//
// Every await inside the engine resumes on the loop (the loop is the current SynchronizationContext while
// it runs, and the engine awaits with ConfigureAwait(true)); tasks that complete inside a query callback are
// completed after the current piece of work (NodeLoop.CompleteLater). The application's calls are started on
// the loop and their results handed back off it.
//
// Departures from BEP 5: nodes that only query us are added to the table as questionable (pinged before
// they count as good) rather than ignored; get_peers answers carry both "values" and "nodes" so that a
// lookup never stalls at a node that happens to store peers.
using System.Buffers;
using System.Collections.Concurrent;
using Dht.Engine.Loop;
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

/// <summary>The Kademlia node engine: every entry point runs on the node's loop.</summary>
internal sealed partial class DhtEngine : IDatagramReceiver, IQueryObserver, IAsyncDisposable
{
    /// <summary>Our client version in KRPC's top-level <c>v</c>: "KV" and version 0.1.</summary>
    public static ReadOnlyMemory<byte> ClientVersion { get; } = new byte[] { (byte)'K', (byte)'V', 0, 1 };

    private readonly NodeLoop _loop;
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
    private readonly ConcurrentQueue<QueuedDatagram> _spareDatagrams = new();
    private byte[] _receiveBuffer = new byte[2048];
    private int _publishedContacts;
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
        Storage.INodeStateStore? state = null,
        SynchronizationContext? loopHost = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _loop = loopHost is null ? new PooledLoop(OnLoopFault) : new HostedLoop(loopHost, OnLoopFault);
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
            options.MaxPendingQueries, ClientVersion, options.ReadOnly);
        _tokens = new TokenManager(options.TokenRotationInterval);
        _peers = peers ?? new InMemoryPeerStore(new PeerStoreOptions
        {
            PeerLifetime = options.PeerLifetime,
            MaxPeersPerInfoHash = options.MaxPeersPerInfoHash,
            MaxInfoHashes = options.MaxInfoHashes,
            MaxPeersPerReply = options.MaxPeersPerResponse,
        });
        _rateLimiter = new RateLimiter(options.MaxQueriesPerSecondPerIp, options.RateLimitBlockDuration, options.RateLimiterCapacity);
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

    /// <summary>The node's loop: everything in the engine runs on it.</summary>
    internal NodeLoop Loop => _loop;

    /// <summary>Contacts in the routing table as of the loop's last datagram or timer turn, for other threads.</summary>
    internal int PublishedContacts => Volatile.Read(ref _publishedContacts);

    internal IPeerStore Peers => _peers;

    internal int ActiveLookups => _lookups.Count;

    internal int PendingQueries => _rpc.PendingCount;

    /// <summary>Starts receiving and the maintenance timer. Bootstrapping is a separate step.</summary>
    public Task Start() => _loop.CallAsync(() =>
    {
        if (_started)
        {
            return false;
        }

        _started = true;
        _nextMaintenance = _time.GetUtcNow() + _options.MaintenanceInterval;
        _timer = _time.CreateTimer(static s => ((DhtEngine)s!)._loop.Post(static e => ((DhtEngine)e!).OnTimer(), s), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Arm(_time.GetUtcNow());
        _transport.Start(this);
        return true;
    });

    // ---- Incoming datagrams ---------------------------------------------------------------------------

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

                int length = Math.Min(datagram.Length, _receiveBuffer.Length);
                datagram[..length].CopyTo(_receiveBuffer);
                Handle(source, _receiveBuffer.AsMemory(0, length), datagram.Length);
            }
            finally
            {
                _loop.Exit();
            }

            return;
        }

        if (!_spareDatagrams.TryDequeue(out var queued))
        {
            queued = new QueuedDatagram(this);
        }

        queued.Fill(source, datagram);
        _loop.Post(static s => ((QueuedDatagram)s!).Handle(), queued);
    }

    /// <summary>Largest datagram handled (the largest UDP payload).</summary>
    internal const int MaxDatagramSize = 65_536;

    // Queued datagrams kept for reuse: enough for a burst, not a flood's worth of buffers.
    private const int MaxSpareDatagrams = 64;

    internal void HandleQueued(QueuedDatagram queued)
    {
        Handle(queued.Source, queued.Datagram, queued.Length);
        if (_spareDatagrams.Count < MaxSpareDatagrams)
        {
            _spareDatagrams.Enqueue(queued);
        }
    }

    private void Handle(NetEndPoint source, ReadOnlyMemory<byte> datagram, int receivedLength)
    {
        {
            if (_disposed)
            {
                return;
            }

            var now = _time.GetUtcNow();
            Counters.DatagramsReceived++;
            if (receivedLength > MaxDatagramSize)
            {
                Counters.InvalidMessages++;
                return;
            }

            var message = _incoming;
            var parsed = KrpcParser.Parse(datagram, message);
            if (!parsed.IsOk)
            {
                Counters.InvalidMessages++;
                LogInvalid(source, parsed.Reason ?? "invalid");

                // Never answer an error with an error (no ping-pong between two confused nodes).
                if (message.Kind != KrpcMessageKind.Error && message.Kind != KrpcMessageKind.Response)
                {
                    int code = parsed.Status == KrpcParseStatus.MethodUnknown ? KrpcErrorCode.MethodUnknown : KrpcErrorCode.Protocol;
                    if (_rateLimiter.Allow(source, now))
                    {
                        SendError(source, message.TransactionId.Span, code, parsed.Reason ?? "invalid message");
                    }
                }

                return;
            }

            switch (message.Kind)
            {
                case KrpcMessageKind.Query:
                    HandleQuery(source, message, now);
                    break;
                case KrpcMessageKind.Response:
                case KrpcMessageKind.Error:
                    _rpc.Complete(message, source, now);
                    break;
            }

            Arm(now);
            Volatile.Write(ref _publishedContacts, Routing.Count);
        }
    }

    private void HandleQuery(NetEndPoint source, KrpcMessage query, DateTimeOffset now)
    {
        if (_options.ReadOnly)
        {
            // BEP 43: read-only nodes do not answer queries.
            return;
        }

        if (!_rateLimiter.Allow(source, now))
        {
            Counters.RateLimited++;
            return;
        }

        Counters.QueriesReceivedByMethod[(int)query.Method]++;
        if (!query.ReadOnly && query.Id != Id && !source.IsUnusable)
        {
            OnHeard(Routing.Heard(new NodeInfo(query.Id, source), isResponse: false, now), new NodeInfo(query.Id, source), now);
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
                    SendError(source, query.TransactionId.Span, KrpcErrorCode.Protocol, "bad token");
                    return;
                }

                ushort port = query.ImpliedPort ? source.Port : (ushort)query.Port;
                _peers.Announce(query.InfoHash, source.WithPort(port), query.Seed, now);
                break;
            default:
                if (ExtensionFor(query.Method) is { } extension)
                {
                    var outcome = extension.Handle(source, query, r, now);
                    if (outcome.IsError)
                    {
                        SendError(source, query.TransactionId.Span, outcome.ErrorCode, outcome.ErrorMessage ?? "error");
                        return;
                    }

                    break;
                }

                SendError(source, query.TransactionId.Span, KrpcErrorCode.MethodUnknown, "method unknown");
                return;
        }

        _replyBuffer.ResetWrittenCount();
        KrpcWriter.Write(r, _replyBuffer);
        _transport.Send(source, _replyBuffer.WrittenSpan);
        Counters.DatagramsSent++;
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

    /// <summary>Sends a query prepared with <see cref="PrepareQuery"/>. Call on the loop.</summary>
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
        Routing.FindClosest(target, _options.BucketSize, _closest, excluded: querier);
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

    private void SendError(NetEndPoint destination, ReadOnlySpan<byte> transactionId, int code, string text)
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
        OnHeard(Routing.Heard(node, isResponse: true, now), node, now);
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
            Volatile.Write(ref _publishedContacts, Routing.Count);
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

    /// <summary>The reusable outgoing query, reset, with our id. Call on the loop.</summary>
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

    /// <summary>Starts a lookup seeded from the routing table. Call on the loop.</summary>
    internal LookupOperation StartLookup(
        KrpcMethod method, NodeId target, Action<NodeInfo, KrpcMessage>? onResponse, DateTimeOffset now, Action<LookupOperation>? started = null)
    {
        _closest.Clear();
        Routing.FindClosest(target, Math.Max(_options.BucketSize * 2, 16), _closest);
        var lookup = new ClosestNodesLookup(target, _closest, _lookupOptions);
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

    /// <summary>Runs a lookup to completion, on the loop. Honours cancellation.</summary>
    /// <param name="method">The query each step sends.</param>
    /// <param name="target">The id looked up.</param>
    /// <param name="onResponse">Sees every answer (on the loop).</param>
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
        ThrowIfDisposed();
        var now = _time.GetUtcNow();
        var op = StartLookup(method, target, onResponse, now, started);
        Arm(now);
        await using var registration = cancellationToken.Register(
            static (s, token) => ((LookupOperation)s!).CancelFromAnyThread(token), op).ConfigureAwait(true);
        return await op.Completion.ConfigureAwait(true);
    }

    // ---- Operations (each public one is started on the loop) ---------------------------------------------

    /// <summary>Iterative find_node for <paramref name="target"/>.</summary>
    public Task<LookupResult> FindNodeAsync(NodeId target, CancellationToken cancellationToken = default) =>
        _loop.InvokeAsync(() => FindNodeCoreAsync(target, cancellationToken));

    private async Task<LookupResult> FindNodeCoreAsync(NodeId target, CancellationToken cancellationToken)
    {
        var op = await RunLookupAsync(KrpcMethod.FindNode, target, null, cancellationToken).ConfigureAwait(true);
        return op.ToResult();
    }

    /// <summary>Pings an endpoint; the answer adds the node to the routing table.</summary>
    public Task<PingResult> PingAsync(NetEndPoint endPoint, CancellationToken cancellationToken = default) =>
        _loop.InvokeAsync(() => PingCoreAsync(endPoint, cancellationToken));

    private async Task<PingResult> PingCoreAsync(NetEndPoint endPoint, CancellationToken cancellationToken)
    {
        SingleQuery<NodeId> query = new(_loop, static r => r.Id);
        ThrowIfDisposed();
        var now = _time.GetUtcNow();
        _rpc.Send(PrepareQuery(KrpcMethod.Ping), endPoint, null, query, now);
        Arm(now);
        var outcome = await query.Task.WaitAsync(cancellationToken).ConfigureAwait(true);
        return new PingResult(endPoint, outcome.Answered, outcome.Answered ? outcome.Value : null, outcome.RoundTrip);
    }

    /// <summary>
    /// Joins the network: pings the bootstrap nodes, looks up our own id, then refreshes every bucket farther
    /// away than our closest neighbour (the paper's join procedure).
    /// </summary>
    public Task<BootstrapResult> BootstrapAsync(CancellationToken cancellationToken = default) =>
        _loop.InvokeAsync(() => BootstrapCoreAsync(cancellationToken));

    private async Task<BootstrapResult> BootstrapCoreAsync(CancellationToken cancellationToken)
    {
        var pings = _options.BootstrapNodes.Concat(_savedContacts).Distinct().Select(ep => PingCoreAsync(ep, cancellationToken)).ToArray();
        var answers = await Task.WhenAll(pings).ConfigureAwait(true);
        int reached = answers.Count(a => a.Answered);
        if (reached == 0 && Routing.Count == 0)
        {
            return new BootstrapResult(_options.BootstrapNodes.Count, 0, 0);
        }

        await FindNodeCoreAsync(Id, cancellationToken).ConfigureAwait(true);
        List<Task<LookupResult>> refreshes = [];
        _closest.Clear();
        Routing.FindClosest(Id, 1, _closest);
        int depth = _closest.Count == 0 ? 0 : Id.CommonPrefixLength(_closest[0].Id);
        for (int i = 0; i < depth && i < NodeId.Bits; i++)
        {
            refreshes.Add(FindNodeCoreAsync(Id.RandomWithPrefix(i, _random.AsRandom), cancellationToken));
        }

        await Task.WhenAll(refreshes).ConfigureAwait(true);
        int contacts = Routing.Count;

        // Joined: save the contacts now (a node killed before its first save could not rejoin), and put back
        // what this node published before a restart rather than an hour from now.
        SaveContacts();
        NamedValues?.RepublishSoon();
        LogBootstrapped(reached, contacts);
        return new BootstrapResult(_options.BootstrapNodes.Count, reached, contacts);
    }

    /// <summary>
    /// get_peers lookup for <paramref name="infoHash"/>: reports each new peer to <paramref name="onPeer"/>
    /// (on the loop) and returns the finished lookup, whose tokens serve a following announce. Call on the loop.
    /// </summary>
    internal Task<LookupOperation> GetPeersOnLoopAsync(NodeId infoHash, Action<NetEndPoint> onPeer, CancellationToken cancellationToken)
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

    /// <summary>Runs a get_peers lookup, reporting each new peer to <paramref name="onPeer"/> (on the loop); returns how many.</summary>
    public Task<int> GetPeersAsync(NodeId infoHash, Action<NetEndPoint> onPeer, CancellationToken cancellationToken = default) =>
        _loop.InvokeAsync(async () =>
        {
            int found = 0;
            await GetPeersOnLoopAsync(infoHash, peer =>
            {
                found++;
                onPeer(peer);
            }, cancellationToken).ConfigureAwait(true);
            return found;
        });

    /// <summary>Collects the peers of an info-hash into a list.</summary>
    public Task<IReadOnlyList<NetEndPoint>> GetPeersListAsync(NodeId infoHash, CancellationToken cancellationToken = default) =>
        _loop.InvokeAsync<IReadOnlyList<NetEndPoint>>(async () =>
        {
            List<NetEndPoint> peers = [];
            await GetPeersOnLoopAsync(infoHash, peers.Add, cancellationToken).ConfigureAwait(true);
            return peers;
        });

    /// <summary>
    /// Announces that we are a peer for <paramref name="infoHash"/> on <paramref name="port"/> (null: the port
    /// we receive on, sent as implied_port) to the k closest nodes, with the tokens of a get_peers lookup.
    /// </summary>
    public Task<AnnounceResult> AnnounceAsync(NodeId infoHash, int? port, CancellationToken cancellationToken = default)
    {
        if (port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(port), "A port is 1 to 65535.");
        }

        return _loop.InvokeAsync(() => AnnounceCoreAsync(infoHash, port, cancellationToken));
    }

    private async Task<AnnounceResult> AnnounceCoreAsync(NodeId infoHash, int? port, CancellationToken cancellationToken)
    {
        var lookup = await GetPeersOnLoopAsync(infoHash, static _ => { }, cancellationToken).ConfigureAwait(true);
        var batch = new QueryBatch(_loop);
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
        await batch.Task.WaitAsync(cancellationToken).ConfigureAwait(true);
        return new AnnounceResult(infoHash, batch.Succeeded.Count, lookup.Lookup.Results.Count);
    }

    /// <summary>Stores a named value on the k closest nodes (DESIGN.md section 3).</summary>
    public Task<PutResult> PutAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        _loop.InvokeAsync(() => RequireNamedValues().PutAsync(key, value, null, cancellationToken));

    /// <summary>Reads the newest version of a named value.</summary>
    public Task<GetResult> GetAsync(string key, CancellationToken cancellationToken = default) =>
        _loop.InvokeAsync(() => RequireNamedValues().GetAsync(key, cancellationToken));

    /// <summary>Deletes a named value (a tombstone with a higher version).</summary>
    public Task<PutResult> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        _loop.InvokeAsync(() => RequireNamedValues().DeleteAsync(key, cancellationToken));

    /// <summary>Stores a BEP 44 immutable item (the value as a bencoded byte string).</summary>
    public Task<ItemPutResult> PutImmutableAsync(ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        _loop.InvokeAsync(() => Items.PutImmutableAsync(value, cancellationToken));

    /// <summary>Reads a BEP 44 immutable item by its target (SHA-1 of the encoded value).</summary>
    public Task<ItemGetResult> GetImmutableAsync(NodeId target, CancellationToken cancellationToken = default) =>
        _loop.InvokeAsync(() => Items.GetImmutableAsync(target, cancellationToken));

    /// <summary>Stores the next version of a BEP 44 mutable item signed by <paramref name="keyPair"/>.</summary>
    public Task<ItemPutResult> PutMutableAsync(
        Crypto.Ed25519KeyPair keyPair, ReadOnlyMemory<byte> salt, ReadOnlyMemory<byte> value, long? cas = null, CancellationToken cancellationToken = default) =>
        _loop.InvokeAsync(() => Items.PutMutableAsync(keyPair, salt, value, cas, cancellationToken));

    /// <summary>Reads the newest validly signed version of a BEP 44 mutable item.</summary>
    public Task<ItemGetResult> GetMutableAsync(ReadOnlyMemory<byte> publicKey, ReadOnlyMemory<byte> salt, CancellationToken cancellationToken = default) =>
        _loop.InvokeAsync(() => Items.GetMutableAsync(publicKey, salt, cancellationToken));

    private NamedValueService RequireNamedValues() =>
        NamedValues ?? throw new InvalidOperationException("Named values are turned off (DhtOptions.EnableNamedValues).");

    /// <summary>A consistent snapshot of the node for <c>status</c>, taken on the loop.</summary>
    public Task<NodeStatus> GetStatusAsync() => _loop.CallAsync(BuildStatus);

    private NodeStatus BuildStatus()
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

    public async ValueTask DisposeAsync()
    {
        bool stopped = await _loop.CallAsync(() =>
        {
            if (_disposed)
            {
                return false;
            }

            _disposed = true;
            _timer?.Dispose();
            SaveContacts();
            _rpc.CancelAll(_time.GetUtcNow());
            foreach (var op in _lookups.ToArray())
            {
                op.Cancel(CancellationToken.None);
            }

            return true;
        }).ConfigureAwait(false);

        if (stopped)
        {
            await _transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Saves the good and questionable contacts, most recently seen first.</summary>
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Work on the node's loop failed")]
    private partial void LogLoopFault(Exception exception);

    private void OnLoopFault(Exception exception)
    {
        Counters.LoopFaults++;
        LogLoopFault(exception);
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
