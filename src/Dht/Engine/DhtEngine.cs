// The node, as a composition root: it builds the node's parts, wires them, and starts each application call
// on the node's loop. The parts, each with one job:
//
//   Loop/          the single owner (NodeLoop) and the node's one timer (NodeTimer)
//   NodeIdentity   id and signing key, loaded and saved
//   Network/       one address family: transport, routing table, RPC manager, lost contacts (NodeFamily)
//   Dispatch/      datagram in, answer out: one handler per protocol (QueryDispatcher, IQueryHandler)
//   Operations/    lookups (LookupRunner), the write path (WritePath), single queries (IOperationContext)
//   Bep5/, Items/, NamedValues/   each protocol's handler, client operations and upkeep
//   Maintenance/   the routine duties on the loop's timer, joining, contact saving
//
// The engine never reads a wall clock (TimeProvider), never draws randomness except from its IRandomSource,
// and never touches a socket except through IDatagramTransport: the same code runs over UDP and, with
// thousands of instances, over the simulated network under a virtual clock (with a HostedLoop drained by the
// simulation clock).
using Dht.Engine.Bep5;
using Dht.Engine.Dispatch;
using Dht.Engine.Items;
using Dht.Engine.Loop;
using Dht.Engine.Maintenance;
using Dht.Engine.NamedValues;
using Dht.Engine.Network;
using Dht.Engine.Operations;
using Dht.Lookups;
using Dht.Peers;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Routing;
using Dht.Telemetry;
using Dht.Tokens;
using Dht.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dht.Engine;

/// <summary>The Kademlia node engine: its parts, wired, and its entry points, each run on the node's loop.</summary>
internal sealed partial class DhtEngine : IAsyncDisposable
{
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly NodeLoop _loop;
    private readonly NodeTimer _timer;
    private readonly NodeFamily _family;
    private readonly LookupRunner _lookups;
    private readonly WritePath _writes;
    private readonly Bep5Operations _bep5;
    private readonly ContactSaver _contacts;
    private readonly Bootstrapper _bootstrapper;
    private readonly MaintenanceSchedule _maintenance;
    private readonly StatusReporter _status;
    private readonly NodeGauges _gauges;
    private bool _started;
    private bool _disposed;

    /// <param name="options">Settings (validated here).</param>
    /// <param name="transport">The network.</param>
    /// <param name="time">The clock.</param>
    /// <param name="random">Ids, transaction ids, samples.</param>
    /// <param name="logger">Logs; none when null.</param>
    /// <param name="peers">Announced peers; in memory when null.</param>
    /// <param name="namedValues">Named values held for the network; in memory when null.</param>
    /// <param name="items">BEP 44 items held for the network; in memory when null.</param>
    /// <param name="state">Identity, contacts and published keys across restarts; none when null.</param>
    /// <param name="loopHost">Drains the node's loop (the simulation clock's context); null for a real node.</param>
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
        Options = options;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        _loop = loopHost is null ? new PooledLoop(OnLoopFault) : new HostedLoop(loopHost, OnLoopFault);
        Identity = NodeIdentity.Load(options.NodeId, state, random);
        _timer = new NodeTimer(time, _loop, NextDeadline, OnTick);
        Telemetry = new OperationTelemetry(Id, _loop, time);

        var rateLimiter = new RateLimiter(
            options.MaxQueriesPerSecondPerIp, options.RateLimitBlockDuration, options.RateLimiterCapacity, options.MaxReplyBytesPerSecondPerIp,
            options.RateLimitLoopback);
        var context = new QueryContext(new TokenManager(options.TokenRotationInterval), random, options.BucketSize);
        var dispatcher = new QueryDispatcher(Id, options.ReadOnly, rateLimiter, Counters, context, _logger);
        _family = new NodeFamily(Id, options, transport, time, random, Counters, _loop, _timer, dispatcher, Publish);
        _lookups = new LookupRunner(_family, _loop, time, new LookupOptions
        {
            K = options.BucketSize,
            Alpha = options.Alpha,
            SoftTimeout = options.SoftTimeout,
            HardTimeout = options.QueryTimeout,
        });
        _writes = new WritePath(_family, _loop, time);
        var operations = new OperationContext(
            _family, _lookups, _writes, _loop, time, options.BucketSize, LogBackgroundFailure, Telemetry);

        Peers = peers ?? new InMemoryPeerStore(new PeerStoreOptions
        {
            PeerLifetime = options.PeerLifetime,
            MaxPeersPerInfoHash = options.MaxPeersPerInfoHash,
            MaxInfoHashes = options.MaxInfoHashes,
            MaxPeersPerReply = options.MaxPeersPerResponse,
        });
        _bep5 = new Bep5Operations(operations, options.MaxPeersPerResponse);
        dispatcher.Register(new Bep5Handler(Peers, options.MaxPeersPerResponse));
        bool keepsCopies = !options.ReadOnly;
        Items = new ItemExtension(Id, items ?? new Storage.InMemoryItemStore(), options.StorageLimits, operations, keepsCopies);
        dispatcher.Register(Items.Handler);
        HandOver = new HandOver(operations);
        HandOver.Add(Items.HandOver);
        if (options.EnableNamedValues)
        {
            NamedValues = new NamedValueExtension(Id, namedValues ?? new Storage.InMemoryNamedValueStore(), options.StorageLimits, state, operations, keepsCopies);
            dispatcher.Register(NamedValues.Handler);
            HandOver.Add(NamedValues.HandOver);
        }

        _family.AddContactListener(HandOver);

        _contacts = new ContactSaver(state, _family.Routing);
        _bootstrapper = new Bootstrapper(_family, _bep5, options.BootstrapNodes, _contacts.Saved, random, OnJoined, _logger);
        List<IMaintenanceDuty> duties =
        [
            new RateLimiterPruning(rateLimiter),
            _contacts,
            new StorageExpiry(Peers, Items, NamedValues),
            Items.Republisher,
        ];
        if (NamedValues is not null)
        {
            duties.Add(NamedValues.Replicator);
        }

        if (!options.ReadOnly)
        {
            duties.Add(new RoutingUpkeep(_family, _lookups, _bootstrapper, operations, random, options.MaxConcurrentOperations));
        }

        _maintenance = new MaintenanceSchedule(options.MaintenanceInterval, duties);
        _status = new StatusReporter(_family, _lookups, Counters, Peers, Items, NamedValues, time);
        _gauges = new NodeGauges(_family, _lookups, Peers, Items, NamedValues);
    }

    /// <summary>Our client version in KRPC's top-level <c>v</c> (see <see cref="NodeIdentity.ClientVersion"/>).</summary>
    public static ReadOnlyMemory<byte> ClientVersion => NodeIdentity.ClientVersion;

    public NodeIdentity Identity { get; }

    public NodeId Id => Identity.Id;

    /// <summary>The node's own ed25519 key pair, for signed values; kept with the node's identity.</summary>
    public Crypto.Ed25519KeyPair SigningKey => Identity.SigningKey;

    public NetEndPoint LocalEndPoint => _family.LocalEndPoint;

    /// <summary>Where other nodes see us, by majority of their BEP 42 answers; null until known. Any thread.</summary>
    public NetEndPoint? PublicEndPoint => _family.PublicEndPoint;

    public NodeCounters Counters { get; } = new();

    public DhtOptions Options { get; }

    public TimeProvider Time => _time;

    /// <summary>The node's loop: everything in the engine runs on it.</summary>
    internal NodeLoop Loop => _loop;

    /// <summary>The routing table (read it on the loop, or in a simulation between events).</summary>
    internal RoutingTable Routing => _family.Routing;

    /// <summary>Contacts saved by an earlier run: pinged when joining, like bootstrap nodes.</summary>
    internal IReadOnlyList<NetEndPoint> SavedContacts => _contacts.Saved;

    /// <summary>Counts of the node's state as the loop last published them, for other threads.</summary>
    internal NodeGauges Gauges => _gauges;

    /// <summary>Spans and measurements of the node's operations (its meter is set by <see cref="DhtNode"/>).</summary>
    internal OperationTelemetry Telemetry { get; }

    internal IPeerStore Peers { get; }

    /// <summary>BEP 44 items.</summary>
    internal ItemExtension Items { get; }

    /// <summary>Hands held values to new contacts on their first answer.</summary>
    internal HandOver HandOver { get; }

    /// <summary>The named-value extension, unless <see cref="DhtOptions.EnableNamedValues"/> is off.</summary>
    internal NamedValueExtension? NamedValues { get; }

    /// <summary>Starts receiving and the maintenance timer. Bootstrapping is a separate step.</summary>
    public Task Start() => _loop.CallAsync(() =>
    {
        if (_started)
        {
            return false;
        }

        _started = true;
        var now = _time.GetUtcNow();
        _maintenance.Start(now);
        _timer.Arm(now);
        _family.Start();
        Publish(now);
        return true;
    });

    // ---- Entry points: each one started on the loop ------------------------------------------------------

    /// <summary>
    /// Joins the network: pings the bootstrap nodes, looks up our own id, then refreshes every bucket farther
    /// away than our closest neighbour (the paper's join procedure).
    /// </summary>
    public Task<BootstrapResult> BootstrapAsync(CancellationToken cancellationToken = default) =>
        Run(OperationNames.Bootstrap, () => _bootstrapper.JoinAsync(cancellationToken));

    /// <summary>Pings an endpoint; the answer adds the node to the routing table.</summary>
    public Task<PingResult> PingAsync(NetEndPoint endPoint, CancellationToken cancellationToken = default) =>
        Run(OperationNames.Ping, () => _bep5.PingAsync(endPoint, cancellationToken), endPoint: endPoint);

    /// <summary>Iterative find_node for <paramref name="target"/>.</summary>
    public Task<LookupResult> FindNodeAsync(NodeId target, CancellationToken cancellationToken = default) =>
        Run(OperationNames.FindNode, () => _bep5.FindNodeAsync(target, cancellationToken), target: target);

    /// <summary>Runs a get_peers lookup, reporting each new peer to <paramref name="onPeer"/> (on the loop); returns how many and who answered.</summary>
    public Task<GetPeersOutcome> GetPeersAsync(NodeId infoHash, Action<NetEndPoint> onPeer, CancellationToken cancellationToken = default) =>
        Run(OperationNames.GetPeers, async () =>
        {
            int found = 0;
            var lookup = await _bep5.GetPeersAsync(infoHash, peer =>
            {
                found++;
                onPeer(peer);
            }, cancellationToken).ConfigureAwait(true);
            return new GetPeersOutcome(found, lookup.Asked, lookup.Answered);
        }, target: infoHash);

    /// <summary>Collects the peers of an info-hash into a list.</summary>
    public Task<IReadOnlyList<NetEndPoint>> GetPeersListAsync(NodeId infoHash, CancellationToken cancellationToken = default) =>
        OnLoop<IReadOnlyList<NetEndPoint>>(async () =>
        {
            List<NetEndPoint> peers = [];
            await _bep5.GetPeersAsync(infoHash, peers.Add, cancellationToken).ConfigureAwait(true);
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

        return Run(OperationNames.Announce, () => _bep5.AnnounceAsync(infoHash, port, cancellationToken), target: infoHash);
    }

    /// <summary>Stores a named value on the k closest nodes (DESIGN.md section 3).</summary>
    public Task<PutResult> PutAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        Run(OperationNames.Put, () => RequireNamedValues().PutAsync(key, value, null, cancellationToken), key);

    /// <summary>Reads the newest version of a named value.</summary>
    public Task<GetResult> GetAsync(string key, CancellationToken cancellationToken = default) =>
        Run(OperationNames.Get, () => RequireNamedValues().GetAsync(key, cancellationToken), key);

    /// <summary>Deletes a named value (a tombstone with a higher version).</summary>
    public Task<PutResult> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        Run(OperationNames.Delete, () => RequireNamedValues().DeleteAsync(key, cancellationToken), key);

    /// <summary>Stores a BEP 44 immutable item (the value as a bencoded byte string).</summary>
    public Task<ItemPutResult> PutImmutableAsync(ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        Run(OperationNames.PutItem, () => Items.Operations.PutImmutableAsync(value, cancellationToken));

    /// <summary>Reads a BEP 44 immutable item by its target (SHA-1 of the encoded value).</summary>
    public Task<ItemGetResult> GetImmutableAsync(NodeId target, CancellationToken cancellationToken = default) =>
        Run(OperationNames.GetItem, () => Items.Operations.GetImmutableAsync(target, cancellationToken), target: target);

    /// <summary>Stores the next version of a BEP 44 mutable item signed by <paramref name="keyPair"/>.</summary>
    public Task<ItemPutResult> PutMutableAsync(
        Crypto.Ed25519KeyPair keyPair, ReadOnlyMemory<byte> salt, ReadOnlyMemory<byte> value, long? cas = null, CancellationToken cancellationToken = default) =>
        Run(OperationNames.PutItem, () => Items.Operations.PutMutableAsync(keyPair, salt, value, cas, cancellationToken));

    /// <summary>Reads the newest validly signed version of a BEP 44 mutable item.</summary>
    public Task<ItemGetResult> GetMutableAsync(ReadOnlyMemory<byte> publicKey, ReadOnlyMemory<byte> salt, CancellationToken cancellationToken = default) =>
        Run(OperationNames.GetItem, () => Items.Operations.GetMutableAsync(publicKey, salt, cancellationToken));

    /// <summary>Runs a lookup and returns it finished, with its state machine (simulations inspect what it asked).</summary>
    internal Task<LookupRun> RunLookupAsync(
        KrpcMethod method, NodeId target, Action<NodeInfo, KrpcMessage>? onResponse, CancellationToken cancellationToken) =>
        OnLoop(() => _lookups.RunAsync(method, target, onResponse, cancellationToken));

    /// <summary>A consistent snapshot of the node for <c>status</c>, taken on the loop.</summary>
    public Task<NodeStatus> GetStatusAsync() => _loop.CallAsync(_status.Take);

    /// <summary>
    /// Completes once the places that writes left to fill after they returned (NodesPending) are written or given
    /// to stand-ins: each within its laggard's query timeout.
    /// </summary>
    public async Task WritesSettledAsync() => await (await _loop.CallAsync(_writes.SettledAsync).ConfigureAwait(false)).ConfigureAwait(false);

    /// <summary>Stops the node: saves its contacts, fails what is pending, and closes the transport.</summary>
    public async ValueTask DisposeAsync()
    {
        bool stopped = await _loop.CallAsync(() =>
        {
            if (_disposed)
            {
                return false;
            }

            _disposed = true;
            var now = _time.GetUtcNow();
            _timer.Dispose();
            _maintenance.Stop();
            _contacts.Save(now);
            _family.Close(now);
            _lookups.CancelAll();
            return true;
        }).ConfigureAwait(false);

        if (stopped)
        {
            await _family.Transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    private NamedValueOperations RequireNamedValues() =>
        NamedValues?.Operations ?? throw new InvalidOperationException("Named values are turned off (DhtOptions.EnableNamedValues).");

    private Task<T> OnLoop<T>(Func<Task<T>> operation) => _loop.InvokeAsync(() =>
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        RequireStarted();
        return operation();
    });

    // An application call: on the loop, traced and timed when someone listens (Telemetry/OperationTelemetry).
    private Task<T> Run<T>(string operation, Func<Task<T>> body, string? key = null, NodeId? target = null, NetEndPoint? endPoint = null)
        where T : IOperationResult =>
        Telemetry.Run(operation, key, target, endPoint, () =>
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            RequireStarted();
            return body();
        });

    // Calling before StartAsync is a programmer's error, not an outcome: the node has no socket to send from, and a
    // result saying "no node answered" would hide the cause.
    private void RequireStarted()
    {
        if (!_started)
        {
            throw new InvalidOperationException("The node is not started: call StartAsync before using the network.");
        }
    }

    private DateTimeOffset NextDeadline()
    {
        var next = _family.NextDeadline is { } rpc && rpc < _maintenance.NextDue ? rpc : _maintenance.NextDue;
        var grace = _lookups.NextDeadline;
        return grace < next ? grace : next;
    }

    private void OnTick(DateTimeOffset now)
    {
        if (_disposed)
        {
            return;
        }

        _family.Tick(now);
        _lookups.Tick(now);
        _maintenance.RunIfDue(now);
        Publish(now);
    }

    private void Publish(DateTimeOffset now) => _gauges.Publish(now);

    // Joined: save the contacts now (a node killed before its first save could not rejoin), and put back what
    // this node published before a restart rather than an hour from now.
    private void OnJoined()
    {
        _contacts.Save(_time.GetUtcNow());
        NamedValues?.Replicator.RepublishSoon();
    }

    private void OnLoopFault(Exception exception)
    {
        Counters.LoopFaults++;
        LogLoopFault(exception);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Background operation failed")]
    private partial void LogBackgroundFailure(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Work on the node's loop failed")]
    private partial void LogLoopFault(Exception exception);
}
