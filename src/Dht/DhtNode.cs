// The library's one public entry point. A thin shell around the engine: it owns the UDP transport and the
// node's instruments. Every call is started on the node's loop and its result handed back off it
// (Engine/Loop/NodeLoop), so the application's continuations never run on the loop, and nothing depends on the
// caller's SynchronizationContext.
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Dht.Engine;
using Dht.Net;
using Dht.Protocol;
using Dht.Telemetry;
using Dht.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dht;

/// <summary>A Kademlia DHT node speaking the BitTorrent Mainline DHT protocol.</summary>
/// <remarks>
/// <para>
/// <b>Lifetime.</b> Construct, <see cref="StartAsync"/>, then <see cref="BootstrapAsync"/> to join a network (or
/// none, to start one); <see cref="DisposeAsync"/> stops it. A network operation (ping, lookups, announce, get,
/// put, delete) called before <see cref="StartAsync"/> fails with <see cref="InvalidOperationException"/>, and
/// after <see cref="DisposeAsync"/> with <see cref="ObjectDisposedException"/>: both are mistakes in the calling
/// code, not outcomes. What the network did is always a result: a started node that knows no other node returns
/// results whose status is <see cref="ReadStatus.NoNodeAnswered"/> or <see cref="WriteStatus.NoNodeAnswered"/>.
/// </para>
/// <para>
/// <b>Threads.</b> Every member may be called from any thread, concurrently with any other. The node's state has
/// one owner, its loop: a serial executor that runs on whichever thread hands it work (the receive thread for a
/// datagram, a timer thread for upkeep, the caller's thread for a call when the loop is idle) and on the thread
/// pool when it has a backlog. An async method starts its work on the loop and returns a task whose
/// continuations never run on it, whatever the caller's <see cref="SynchronizationContext"/>. Properties that
/// report counts (<see cref="Counters"/>, <see cref="PublicEndPoint"/>, the metrics) read values the loop
/// publishes, so they never wait and may be a moment old; <see cref="GetStatusAsync"/> takes an exact snapshot on the
/// loop, and <see cref="GetStatus"/>, <see cref="HeldValues"/> and <see cref="HeldItems"/> block until it has.
/// Callbacks of the library (the peers of <see cref="GetPeersAsync"/>) are delivered off the loop too.
/// </para>
/// <para>
/// <b>Observability.</b> Metrics go to the meter <see cref="MeterName"/> (made by the <see cref="IMeterFactory"/>
/// given, else by the node) and spans to the activity source <see cref="ActivitySourceName"/>; both carry the
/// node's id as the tag <c>dht.node</c>, and cost nothing when nobody listens.
/// </para>
/// </remarks>
public sealed class DhtNode : IAsyncDisposable
{
    /// <summary>The name of the meter every node publishes its instruments in (<c>dht.queries.sent</c>, <c>dht.operation.duration</c>...).</summary>
    public const string MeterName = "Dht";

    /// <summary>The name of the activity source of the nodes' spans (one per operation and per lookup).</summary>
    public const string ActivitySourceName = "Dht";

    private readonly DhtEngine _engine;
    private readonly NodeMetrics _metrics;
    private readonly NetEndPoint _localEndPoint;

    /// <summary>Creates a node that will listen on UDP at <see cref="DhtOptions.ListenAddress"/>:<see cref="DhtOptions.Port"/>.</summary>
    /// <param name="options">The node's settings (validated here).</param>
    /// <param name="loggerFactory">Where the node logs; nowhere when null.</param>
    /// <param name="meterFactory">Makes the node's meter (a host's, from dependency injection); null: the node makes its own.</param>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Each constructor differs in its required parameters (options; stores; a transport), so a call binds to one of them whatever optional arguments it gives.")]
    public DhtNode(DhtOptions options, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
        : this(options, CreateUdp(options, loggerFactory), TimeProvider.System, new CryptoRandomSource(), loggerFactory, meterFactory: meterFactory)
    {
    }

    /// <summary>
    /// Creates a node on UDP that keeps what it holds in <paramref name="stores"/> (for example SQLite), so that a
    /// restart brings back its identity, contacts, stored values and published keys.
    /// </summary>
    /// <param name="options">The node's settings (validated here).</param>
    /// <param name="stores">Where the node keeps what it holds; the caller disposes them after the node.</param>
    /// <param name="loggerFactory">Where the node logs; nowhere when null.</param>
    /// <param name="meterFactory">Makes the node's meter (a host's, from dependency injection); null: the node makes its own.</param>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Each constructor differs in its required parameters (options; stores; a transport), so a call binds to one of them whatever optional arguments it gives.")]
    public DhtNode(DhtOptions options, DhtStores stores, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
        : this(options, CreateUdp(options, loggerFactory), TimeProvider.System, new CryptoRandomSource(), loggerFactory, stores, meterFactory)
    {
    }

    /// <summary>Creates a node over any datagram transport (tests, other networks).</summary>
    /// <param name="options">The node's settings (validated here; the listening address and port are the transport's).</param>
    /// <param name="transport">The network; the node disposes it.</param>
    /// <param name="timeProvider">The clock; the system's when null.</param>
    /// <param name="loggerFactory">Where the node logs; nowhere when null.</param>
    /// <param name="meterFactory">Makes the node's meter (a host's, from dependency injection); null: the node makes its own.</param>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Each constructor differs in its required parameters (options; stores; a transport), so a call binds to one of them whatever optional arguments it gives.")]
    public DhtNode(
        DhtOptions options, IDatagramTransport transport, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
        : this(options, transport, timeProvider ?? TimeProvider.System, new CryptoRandomSource(), loggerFactory, meterFactory: meterFactory)
    {
    }

    internal DhtNode(
        DhtOptions options,
        IDatagramTransport transport,
        TimeProvider time,
        IRandomSource random,
        ILoggerFactory? loggerFactory,
        DhtStores? stores = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        loggerFactory ??= NullLoggerFactory.Instance;
        _engine = new DhtEngine(options, transport, time, random, loggerFactory.CreateLogger("Dht.Node"),
            namedValues: stores?.NamedValues, items: stores?.Items, state: stores?.State);
        _metrics = new NodeMetrics(_engine.Id, _engine.Counters, _engine.Gauges, meterFactory);
        _engine.Telemetry.Metrics = _metrics;
        _localEndPoint = SourceAddress.Of(_engine.LocalEndPoint);
    }

    /// <summary>This node's id.</summary>
    public NodeId Id => _engine.Id;

    /// <summary>The node's ed25519 key pair for signed values (kept with its identity when a state store is given).</summary>
    public Crypto.Ed25519KeyPair SigningKey => _engine.SigningKey;

    /// <summary>Contacts saved by an earlier run, which <see cref="BootstrapAsync"/> pings along with the bootstrap nodes.</summary>
    public int SavedContacts => _engine.SavedContacts.Count;

    /// <summary>
    /// The address and port the node's socket is bound to: with <see cref="DhtOptions.Port"/> 0, the port the system
    /// picked; bound to the wildcard address (<c>0.0.0.0</c>, <c>::</c>), which listens on every interface, the
    /// address this machine sends from by default (its primary interface; loopback when it has no route). Behind a
    /// NAT, where nodes on the internet reach this one is <see cref="PublicEndPoint"/>.
    /// </summary>
    public NetEndPoint LocalEndPoint => _localEndPoint;

    /// <summary>
    /// The address and port other nodes see this node at (behind a NAT, the public ones), as the majority of the
    /// last 16 nodes that answered us report it (BEP 42's <c>ip</c>; at least 3 must agree); null until known.
    /// </summary>
    public NetEndPoint? PublicEndPoint => _engine.PublicEndPoint;

    /// <summary>Traffic counters (also published as instruments of the meter <see cref="MeterName"/>).</summary>
    public NodeCounters Counters => _engine.Counters;

    internal DhtEngine Engine => _engine;

    /// <summary>Starts receiving and answering. Call <see cref="BootstrapAsync"/> to join a network.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return _engine.Start();
    }

    /// <summary>Joins the network through <see cref="DhtOptions.BootstrapNodes"/>.</summary>
    public Task<BootstrapResult> BootstrapAsync(CancellationToken cancellationToken = default) =>
        _engine.BootstrapAsync(cancellationToken);

    /// <summary>Sends a ping and waits for the answer or the query timeout.</summary>
    public Task<PingResult> PingAsync(NetEndPoint endPoint, CancellationToken cancellationToken = default) =>
        _engine.PingAsync(endPoint, cancellationToken);

    /// <summary>Finds the k nodes closest to <paramref name="target"/>.</summary>
    public Task<LookupResult> FindNodeAsync(NodeId target, CancellationToken cancellationToken = default) =>
        _engine.FindNodeAsync(target, cancellationToken);

    /// <summary>Announces this node as a peer of <paramref name="infoHash"/> (BEP 5 announce_peer).</summary>
    /// <param name="infoHash">The torrent's info-hash.</param>
    /// <param name="port">The peer port; null announces our UDP port (implied_port).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    public Task<AnnounceResult> AnnounceAsync(NodeId infoHash, int? port = null, CancellationToken cancellationToken = default) =>
        _engine.AnnounceAsync(infoHash, port, cancellationToken);

    /// <summary>Streams the peers of <paramref name="infoHash"/> as the get_peers lookup finds them.</summary>
    /// <param name="infoHash">The torrent's info-hash.</param>
    /// <param name="cancellationToken">Stops the lookup and the enumeration.</param>
    public async IAsyncEnumerable<NetEndPoint> GetPeersAsync(NodeId infoHash, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<NetEndPoint>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        Task lookup = _engine.GetPeersAsync(infoHash, peer => channel.Writer.TryWrite(peer), cancellationToken);
        _ = lookup.ContinueWith(
            static (t, s) => ((Channel<NetEndPoint>)s!).Writer.TryComplete(t.Exception?.GetBaseException()),
            channel,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        await foreach (var peer in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return peer;
        }
    }

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> on the k closest nodes.</summary>
    public Task<PutResult> PutAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        _engine.PutAsync(key, value, cancellationToken);

    /// <summary>Reads the newest value of <paramref name="key"/>; not found is a result, not an exception.</summary>
    public Task<GetResult> GetAsync(string key, CancellationToken cancellationToken = default) =>
        _engine.GetAsync(key, cancellationToken);

    /// <summary>Deletes <paramref name="key"/>.</summary>
    public Task<PutResult> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        _engine.DeleteAsync(key, cancellationToken);

    /// <summary>Stores a BEP 44 immutable item; its target is SHA-1 of the bencoded value.</summary>
    public Task<ItemPutResult> PutImmutableAsync(ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        _engine.PutImmutableAsync(value, cancellationToken);

    /// <summary>Reads a BEP 44 immutable item; the value is checked against its hash.</summary>
    public Task<ItemGetResult> GetImmutableAsync(NodeId target, CancellationToken cancellationToken = default) =>
        _engine.GetImmutableAsync(target, cancellationToken);

    /// <summary>
    /// Stores the next version (seq one above the newest found) of the BEP 44 mutable item of
    /// <paramref name="keyPair"/> and <paramref name="salt"/>; with <paramref name="cas"/>, only if the held version is that seq.
    /// </summary>
    public Task<ItemPutResult> PutMutableAsync(
        Crypto.Ed25519KeyPair keyPair, ReadOnlyMemory<byte> salt, ReadOnlyMemory<byte> value, long? cas = null, CancellationToken cancellationToken = default) =>
        _engine.PutMutableAsync(keyPair, salt, value, cas, cancellationToken);

    /// <summary>Reads the newest validly signed version of a BEP 44 mutable item.</summary>
    public Task<ItemGetResult> GetMutableAsync(ReadOnlyMemory<byte> publicKey, ReadOnlyMemory<byte> salt, CancellationToken cancellationToken = default) =>
        _engine.GetMutableAsync(publicKey, salt, cancellationToken);

    /// <summary>The BEP 44 items this node holds for the network.</summary>
    public IReadOnlyList<Storage.StoredItem> HeldItems() =>
        _engine.Loop.CallAsync(() => _engine.Items.Held(_engine.Time.GetUtcNow())).GetAwaiter().GetResult();

    /// <summary>The named values this node holds for the network (key ids, sizes, versions, expiry).</summary>
    public IReadOnlyList<Storage.NamedValue> HeldValues() =>
        _engine.Loop.CallAsync(() => _engine.NamedValues?.Held(_engine.Time.GetUtcNow()) ?? []).GetAwaiter().GetResult();

    /// <summary>A snapshot of the node's state, taken on the node's loop.</summary>
    public async Task<NodeStatus> GetStatusAsync() =>
        await _engine.GetStatusAsync().ConfigureAwait(false) with { EndPoint = _localEndPoint };

    /// <summary>A snapshot of the node's state; blocks until the node's loop has taken it.</summary>
    public NodeStatus GetStatus() => GetStatusAsync().GetAwaiter().GetResult();

    /// <summary>
    /// Stops the node: first the places that its puts and announces left to fill after they returned
    /// (<c>NodesPending</c>) are written, or given to the next closest nodes, each within its query timeout (2 s
    /// at most); then pending queries are cancelled and the socket is closed. A short-lived process (a one-shot
    /// command, a piped shell) so leaves what it put on k nodes.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await _engine.WritesSettledAsync().ConfigureAwait(false);
        await _engine.DisposeAsync().ConfigureAwait(false);
        _metrics.Dispose();
    }

    private static UdpTransport CreateUdp(DhtOptions options, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new UdpTransport(new IPEndPoint(options.ListenAddress, options.Port), options.Transport, loggerFactory?.CreateLogger("Dht.Transport"));
    }
}
