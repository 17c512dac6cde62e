// Every setting of a node, with its default and where the default comes from. Every resource the node
// holds has a limit here.
using Dht.Protocol;

namespace Dht;

/// <summary>Settings of a <see cref="DhtNode"/>. Every limit is enforced; defaults follow BEP 5 and practice.</summary>
public sealed class DhtOptions
{
    /// <summary>Address the UDP socket binds to. Default: every IPv4 interface.</summary>
    public System.Net.IPAddress ListenAddress { get; set; } = System.Net.IPAddress.Any;

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
    /// OpenDHT rate-limit per source). Loopback sources are keyed by address and port, so many local nodes
    /// do not share one budget.
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
    /// the largest reply, about 1,400 bytes). Loopback sources are keyed by address and port, as for the
    /// query limit.
    /// </summary>
    public int MaxReplyBytesPerSecondPerIp { get; set; } = 32_768;

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

    /// <summary>Nodes to contact first; empty starts a new network.</summary>
    public IList<NetEndPoint> BootstrapNodes { get; } = new List<NetEndPoint>();

    /// <summary>Checks every value; throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        static void Positive(int value, string name)
        {
            if (value <= 0)
            {
                throw new ArgumentException($"{name} must be positive (was {value}).", name);
            }
        }

        static void PositiveTime(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero)
            {
                throw new ArgumentException($"{name} must be positive (was {value}).", name);
            }
        }

        if (Port is < 0 or > 65535)
        {
            throw new ArgumentException($"{nameof(Port)} must be 0 to 65535 (was {Port}).", nameof(Port));
        }

        Positive(BucketSize, nameof(BucketSize));
        Positive(Alpha, nameof(Alpha));
        Positive(MaxPendingQueries, nameof(MaxPendingQueries));
        Positive(MaxConcurrentOperations, nameof(MaxConcurrentOperations));
        Positive(MaxPeersPerResponse, nameof(MaxPeersPerResponse));
        Positive(MaxPeersPerInfoHash, nameof(MaxPeersPerInfoHash));
        Positive(MaxInfoHashes, nameof(MaxInfoHashes));
        Positive(MaxQueriesPerSecondPerIp, nameof(MaxQueriesPerSecondPerIp));
        Positive(RateLimiterCapacity, nameof(RateLimiterCapacity));
        if (MaxReplyBytesPerSecondPerIp < 1000)
        {
            throw new ArgumentException(
                $"{nameof(MaxReplyBytesPerSecondPerIp)} must be at least 1000 (was {MaxReplyBytesPerSecondPerIp}).", nameof(MaxReplyBytesPerSecondPerIp));
        }

        ArgumentNullException.ThrowIfNull(Transport, nameof(Transport));
        Positive(Transport.ReceiveBufferSize, "Transport.ReceiveBufferSize");
        Positive(Transport.SendBufferSize, "Transport.SendBufferSize");
        PositiveTime(QueryTimeout, nameof(QueryTimeout));
        PositiveTime(SoftTimeout, nameof(SoftTimeout));
        PositiveTime(BucketRefreshInterval, nameof(BucketRefreshInterval));
        PositiveTime(TokenRotationInterval, nameof(TokenRotationInterval));
        PositiveTime(PeerLifetime, nameof(PeerLifetime));
        PositiveTime(MaintenanceInterval, nameof(MaintenanceInterval));
        PositiveTime(RateLimitBlockDuration, nameof(RateLimitBlockDuration));
        ArgumentNullException.ThrowIfNull(StorageLimits, nameof(StorageLimits));
        StorageLimits.Validate();
        if (SoftTimeout > QueryTimeout)
        {
            throw new ArgumentException($"{nameof(SoftTimeout)} must not exceed {nameof(QueryTimeout)}.", nameof(SoftTimeout));
        }

        if (BucketSize > 64)
        {
            throw new ArgumentException($"{nameof(BucketSize)} must be at most 64 (was {BucketSize}).", nameof(BucketSize));
        }
    }
}
