// Every setting of a node, with its default and where the default comes from. Every resource the node
// holds has a limit here.
//
// Binding from configuration (Get<DhtOptions>(), IOptions, JSON or environment variables; the reflection
// binder and the source generator alike): every setting is a number, a bool, a TimeSpan, a string or a nested
// object of those, except three typed properties for code that the binder cannot read: ListenAddress
// (an IPAddress), BootstrapNodes (NetEndPoints) and NodeId. Configuration sets the first two as text through
// Bind and Bootstrap, which accept what the dht command accepts; Bootstrap may name hosts, resolved when the
// node joins (Net/EndPointResolver), never at binding. Bad values are reported by FindProblems/Validate,
// each naming its configuration key.
using System.Globalization;
using System.Net;
using Dht.Net;
using Dht.Protocol;

namespace Dht;

/// <summary>Settings of a <see cref="DhtNode"/>. Every limit is enforced; defaults follow BEP 5 and practice.</summary>
public sealed class DhtOptions
{
    // Text given to Bind that is not an IP address, kept for FindProblems to report.
    private string? _unparsedBind;

    /// <summary>Address the UDP socket binds to. Default: every IPv4 interface. Configuration sets it as <see cref="Bind"/>.</summary>
    public IPAddress ListenAddress
    {
        get;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            field = value;
            _unparsedBind = null;
        }
    } = IPAddress.Any;

    /// <summary>
    /// <see cref="ListenAddress"/> as text (<c>127.0.0.1</c>, <c>::</c>), the form configuration binds: the key
    /// <c>Bind</c>, as for the <c>dht</c> command. Text that is not an IP address is reported by <see cref="Validate"/>.
    /// </summary>
    public string Bind
    {
        get => _unparsedBind ?? ListenAddress.ToString();
        set
        {
            if (IPAddress.TryParse(value?.Trim(), out var address))
            {
                ListenAddress = address;
            }
            else
            {
                _unparsedBind = value ?? "";
            }
        }
    }

    /// <summary>UDP port to bind; 0 picks a free one. Default 6881, the customary BitTorrent DHT port.</summary>
    public int Port { get; set; } = 6881;

    /// <summary>The node's id; a random one from the cryptographic generator when not set.</summary>
    public NodeId? NodeId { get; set; }

    /// <summary>Bucket size k, also the replication factor and lookup result size. BEP 5: 8.</summary>
    public int BucketSize { get; set; } = 8;

    /// <summary>Queries in flight per lookup. The Kademlia paper: 3 (libtorrent uses 5).</summary>
    public int Alpha { get; set; } = 3;

    /// <summary>A query unanswered this long counts as failed. bittorrent-dht and pubky/mainline: 2 s.</summary>
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A query unanswered this long frees its lookup slot (it may still answer): libtorrent's short timeout.
    /// </summary>
    public TimeSpan SoftTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>A bucket with no activity this long is refreshed with a lookup. BEP 5: 15 minutes.</summary>
    public TimeSpan BucketRefreshInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Write-token secret rotation; the previous secret stays valid. BEP 5: 5 minutes.</summary>
    public TimeSpan TokenRotationInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an announced peer is kept. BEP 5 practice (libtorrent, bittorrent-dht): 30 minutes.</summary>
    public TimeSpan PeerLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often routine maintenance runs (bucket refresh checks, pings of questionable nodes, expiry).</summary>
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound on our own queries awaiting an answer; more are refused (failed at once).</summary>
    public int MaxPendingQueries { get; set; } = 4096;

    /// <summary>Upper bound on lookups and other operations running at once.</summary>
    public int MaxConcurrentOperations { get; set; } = 256;

    /// <summary>Peers returned in one get_peers answer; keeps the datagram under a typical 1,500-byte MTU.</summary>
    public int MaxPeersPerResponse { get; set; } = 50;

    /// <summary>Peers kept per info-hash (libtorrent keeps at most 100 per torrent in its DHT storage by default).</summary>
    public int MaxPeersPerInfoHash { get; set; } = 100;

    /// <summary>Info-hashes with announced peers kept in all (libtorrent: dht_max_torrents 2,000).</summary>
    public int MaxInfoHashes { get; set; } = 2000;

    /// <summary>
    /// Queries answered per second from one IP address before it is temporarily ignored (libtorrent and
    /// OpenDHT rate-limit per source). Loopback sources are exempt unless <see cref="RateLimitLoopback"/>.
    /// </summary>
    public int MaxQueriesPerSecondPerIp { get; set; } = 500;

    /// <summary>How long an address that exceeded the rate limit is ignored (libtorrent dht_block_timeout: 5 minutes).</summary>
    public TimeSpan RateLimitBlockDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Source addresses tracked by the rate limiter; the least recently seen are forgotten first.</summary>
    public int RateLimiterCapacity { get; set; } = 10_000;

    /// <summary>
    /// Reply bytes per second one source address may receive beyond the bytes it sent us, with a burst of three
    /// seconds' worth; a reply that does not fit is dropped (counted in <see cref="Engine.NodeCounters.RepliesOverBudget"/>).
    /// It bounds what a spoofed source can make this node send its victim. The anchor is libtorrent's upload
    /// quota (dht_upload_rate_limit, 8,000 bytes/s with a 3 s burst), which is one budget for the whole node;
    /// per source, 32 KiB/s is four times that, and a client storing a hundred values a second through a
    /// ten-node network lost no reply with it (at 8,000 a few in 20,000). At least 1,000 (the burst must hold
    /// the largest reply, about 1,400 bytes). Loopback sources are exempt unless <see cref="RateLimitLoopback"/>.
    /// </summary>
    public int MaxReplyBytesPerSecondPerIp { get; set; } = 32_768;

    /// <summary>
    /// Apply the query rate limit and the reply budget to loopback sources (127.0.0.0/8, ::1) too, each keyed by
    /// address and port as storage quotas key them. Off by default: a local test network puts every node and
    /// every piped shell on 127.0.0.1, and a shell storing at network speed into a few nodes sends each of them
    /// more than <see cref="MaxQueriesPerSecondPerIp"/>; a loopback datagram can only come from this machine
    /// (the kernel drops loopback sources arriving from outside), whose processes could reach the node anyway.
    /// The adversary benchmark turns it on to exercise the limits on loopback.
    /// </summary>
    public bool RateLimitLoopback { get; set; }

    /// <summary>
    /// BEP 43: a read-only node sends <c>ro=1</c>, is not added to others' routing tables and does not answer
    /// queries. One-shot commands run as read-only clients.
    /// </summary>
    public bool ReadOnly { get; set; }

    /// <summary>
    /// Serve and use named values (the <c>find_value</c> / <c>store</c> extension). Turn off when joining the
    /// public Mainline DHT if you want to behave exactly like a plain BEP 5/44 node.
    /// </summary>
    public bool EnableNamedValues { get; set; } = true;

    /// <summary>Limits of the value stores: items, bytes, items per source address, value size, lifetimes.</summary>
    public Storage.StorageLimits StorageLimits { get; set; } = new();

    /// <summary>
    /// Socket settings of the UDP transport a <see cref="DhtNode"/> creates: buffer sizes, batched receipt, and
    /// whether the nodes of this process share one receive thread (the default on Linux).
    /// </summary>
    public Transport.UdpTransportOptions Transport { get; set; } = new();

    /// <summary>
    /// Nodes to contact first, as endpoints; empty (and <see cref="Bootstrap"/> empty) starts a new network.
    /// Configuration sets them as <see cref="Bootstrap"/>.
    /// </summary>
    public IList<NetEndPoint> BootstrapNodes { get; } = new List<NetEndPoint>();

    /// <summary>
    /// Nodes to contact first, as text: <c>127.0.0.1:8001</c>, <c>[::1]:6881</c> or <c>router.example.org:6881</c>,
    /// the form configuration binds (the key <c>Bootstrap</c>, as for the <c>dht</c> command). Names are resolved
    /// when the node joins, not when options are bound, and again at each rejoin. The hosted node of Dht.Hosting
    /// and the <c>dht</c> command resolve them; a program that creates a <see cref="DhtNode"/> itself calls
    /// <see cref="EndPointResolver.ResolveBootstrapAsync"/> first, which adds them to <see cref="BootstrapNodes"/>.
    /// </summary>
    public IList<string> Bootstrap { get; } = new List<string>();

    /// <summary>
    /// Where the host keeps the node's state (identity, contacts, stored values) in SQLite; null keeps it in
    /// memory. Read by the hosted node of Dht.Hosting; a <see cref="DhtNode"/> created directly takes its storage
    /// as <see cref="DhtStores"/> instead (Dht.Storage.Sqlite).
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>Checks every value; throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (FindProblems() is [var first, ..])
        {
            // ParamName keeps the property path of code ("Transport.ReceiveBufferSize").
            string name = first.Key.Replace(':', '.');
            throw new ArgumentException($"{name} {first.Problem}.", name);
        }
    }

    /// <summary>
    /// Every bad setting, each with its configuration key (<c>Port</c>, <c>StorageLimits:MaxItems</c>,
    /// <c>Bootstrap:2</c>) and what is wrong: <c>must be 0 to 65535, was 70000</c>. Empty when all are good.
    /// Looks no host name up.
    /// </summary>
    public IReadOnlyList<SettingProblem> FindProblems()
    {
        List<SettingProblem> problems = [];
        void Check(bool ok, string key, string problem)
        {
            if (!ok)
            {
                problems.Add(new SettingProblem(key, problem));
            }
        }

        void Positive(int value, string key) => Check(value > 0, key, Invariant($"must be positive, was {value}"));
        void PositiveTime(TimeSpan value, string key) => Check(value > TimeSpan.Zero, key, Invariant($"must be positive, was {value}"));

        Check(Port is >= 0 and <= 65535, nameof(Port), Invariant($"must be 0 to 65535, was {Port}"));
        Check(_unparsedBind is null, nameof(Bind), $"must be an IP address, was '{_unparsedBind}'");
        for (int i = 0; i < Bootstrap.Count; i++)
        {
            Check(HostEndPoint.TryParse(Bootstrap[i], out _), Invariant($"{nameof(Bootstrap)}:{i}"), $"{HostEndPoint.Expected}, was '{Bootstrap[i]}'");
        }

        Positive(BucketSize, nameof(BucketSize));
        Check(BucketSize <= 64, nameof(BucketSize), Invariant($"must be at most 64, was {BucketSize}"));
        Positive(Alpha, nameof(Alpha));
        Positive(MaxPendingQueries, nameof(MaxPendingQueries));
        Positive(MaxConcurrentOperations, nameof(MaxConcurrentOperations));
        Positive(MaxPeersPerResponse, nameof(MaxPeersPerResponse));
        Positive(MaxPeersPerInfoHash, nameof(MaxPeersPerInfoHash));
        Positive(MaxInfoHashes, nameof(MaxInfoHashes));
        Positive(MaxQueriesPerSecondPerIp, nameof(MaxQueriesPerSecondPerIp));
        Positive(RateLimiterCapacity, nameof(RateLimiterCapacity));
        Check(MaxReplyBytesPerSecondPerIp >= 1000, nameof(MaxReplyBytesPerSecondPerIp),
            Invariant($"must be at least 1000, was {MaxReplyBytesPerSecondPerIp}"));
        PositiveTime(QueryTimeout, nameof(QueryTimeout));
        PositiveTime(SoftTimeout, nameof(SoftTimeout));
        Check(SoftTimeout <= QueryTimeout, nameof(SoftTimeout), Invariant($"must not exceed {nameof(QueryTimeout)} ({QueryTimeout}), was {SoftTimeout}"));
        PositiveTime(BucketRefreshInterval, nameof(BucketRefreshInterval));
        PositiveTime(TokenRotationInterval, nameof(TokenRotationInterval));
        PositiveTime(PeerLifetime, nameof(PeerLifetime));
        PositiveTime(MaintenanceInterval, nameof(MaintenanceInterval));
        PositiveTime(RateLimitBlockDuration, nameof(RateLimitBlockDuration));
        if (Transport is null)
        {
            Check(false, nameof(Transport), "must be set");
        }
        else
        {
            Positive(Transport.ReceiveBufferSize, $"{nameof(Transport)}:{nameof(Transport.ReceiveBufferSize)}");
            Positive(Transport.SendBufferSize, $"{nameof(Transport)}:{nameof(Transport.SendBufferSize)}");
        }

        if (StorageLimits is null)
        {
            Check(false, nameof(StorageLimits), "must be set");
        }
        else
        {
            StorageLimits.AddProblems(nameof(StorageLimits) + ":", problems);
        }

        return problems;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
