// The library's one public entry point. A thin shell around the engine: it owns the UDP transport and the
// meter. Every call is started on the node's loop and its result handed back off it (Engine/Loop/NodeLoop),
// so the application's continuations never run on the loop, and nothing depends on the caller's
// SynchronizationContext.
using System.Diagnostics.Metrics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Dht.Engine;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dht;

/// <summary>A Kademlia DHT node speaking the BitTorrent Mainline DHT protocol.</summary>
public sealed class DhtNode : IAsyncDisposable
{
    private readonly DhtEngine _engine;
    private readonly Meter? _meter;

    /// <summary>Creates a node that will listen on UDP at <see cref="DhtOptions.ListenAddress"/>:<see cref="DhtOptions.Port"/>.</summary>
    public DhtNode(DhtOptions options, ILoggerFactory? loggerFactory = null)
        : this(options, CreateUdp(options, loggerFactory), TimeProvider.System, new CryptoRandomSource(), loggerFactory)
    {
    }

    /// <summary>
    /// Creates a node on UDP that keeps what it holds in <paramref name="stores"/> (for example SQLite), so that a
    /// restart brings back its identity, contacts, stored values and published keys.
    /// </summary>
    public DhtNode(DhtOptions options, DhtStores stores, ILoggerFactory? loggerFactory = null)
        : this(options, CreateUdp(options, loggerFactory), TimeProvider.System, new CryptoRandomSource(), loggerFactory, stores)
    {
    }

    /// <summary>Creates a node over any datagram transport (tests, other networks).</summary>
    public DhtNode(DhtOptions options, IDatagramTransport transport, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
        : this(options, transport, timeProvider ?? TimeProvider.System, new CryptoRandomSource(), loggerFactory)
    {
    }

    internal DhtNode(
        DhtOptions options, IDatagramTransport transport, TimeProvider time, IRandomSource random, ILoggerFactory? loggerFactory, DhtStores? stores = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        loggerFactory ??= NullLoggerFactory.Instance;
        _engine = new DhtEngine(options, transport, time, random, loggerFactory.CreateLogger("Dht.Node"),
            namedValues: stores?.NamedValues, items: stores?.Items, state: stores?.State);
        _meter = CreateMeter(_engine);
    }

    /// <summary>This node's id.</summary>
    public NodeId Id => _engine.Id;

    /// <summary>The node's ed25519 key pair for signed values (kept with its identity when a state store is given).</summary>
    public Crypto.Ed25519KeyPair SigningKey => _engine.SigningKey;

    /// <summary>Contacts saved by an earlier run, which <see cref="BootstrapAsync"/> pings along with the bootstrap nodes.</summary>
    public int SavedContacts => _engine.SavedContacts.Count;

    /// <summary>The endpoint this node receives on.</summary>
    public NetEndPoint LocalEndPoint => _engine.LocalEndPoint;

    /// <summary>Traffic counters (also published as System.Diagnostics.Metrics instruments of meter "Dht").</summary>
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
    public async IAsyncEnumerable<NetEndPoint> GetPeersAsync(NodeId infoHash, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<NetEndPoint>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var lookup = _engine.GetPeersAsync(infoHash, peer => channel.Writer.TryWrite(peer), cancellationToken);
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
    public Task<NodeStatus> GetStatusAsync() => _engine.GetStatusAsync();

    /// <summary>A snapshot of the node's state; blocks until the node's loop has taken it.</summary>
    public NodeStatus GetStatus() => _engine.GetStatusAsync().GetAwaiter().GetResult();

    /// <summary>Stops the node: pending queries are cancelled and the socket is closed.</summary>
    public async ValueTask DisposeAsync()
    {
        await _engine.DisposeAsync().ConfigureAwait(false);
        _meter?.Dispose();
    }

    private static UdpTransport CreateUdp(DhtOptions options, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new UdpTransport(new IPEndPoint(options.ListenAddress, options.Port), options.Transport, loggerFactory?.CreateLogger("Dht.Transport"));
    }

    private static Meter CreateMeter(DhtEngine engine)
    {
        var meter = new Meter("Dht", "1.0");
        var c = engine.Counters;
        var methods = Enum.GetValues<KrpcMethod>();
        IEnumerable<Measurement<long>> PerMethod(long[] values) =>
            methods.Select(m => new Measurement<long>(values[(int)m], new KeyValuePair<string, object?>("method", KrpcMethods.DisplayName(m))));
        meter.CreateObservableCounter("dht.queries.sent", () => PerMethod(c.QueriesSentByMethod), description: "Queries sent, by method");
        meter.CreateObservableCounter("dht.queries.received", () => PerMethod(c.QueriesReceivedByMethod), description: "Queries received, by method");
        meter.CreateObservableCounter("dht.responses.received", () => PerMethod(c.ResponsesReceivedByMethod), description: "Responses received, by method");
        meter.CreateObservableCounter("dht.queries.timed_out", () => PerMethod(c.TimeoutsByMethod), description: "Queries that timed out, by method");
        meter.CreateObservableCounter("dht.errors.received", () => PerMethod(c.ErrorsReceivedByMethod), description: "KRPC errors received, by method");
        meter.CreateObservableCounter("dht.messages.invalid", () => c.InvalidMessages, description: "Datagrams that failed to decode or validate");
        meter.CreateObservableCounter("dht.errors.sent", () => c.ErrorsSent, description: "KRPC errors sent");
        meter.CreateObservableCounter("dht.queries.rate_limited", () => c.RateLimited, description: "Queries dropped by the per-IP rate limit");
        meter.CreateObservableCounter("dht.replies.over_budget", () => c.RepliesOverBudget, description: "Replies dropped by the per-IP reply-byte budget");
        meter.CreateObservableGauge("dht.routing.contacts", () => engine.PublishedContacts, description: "Contacts in the routing table");
        return meter;
    }
}
