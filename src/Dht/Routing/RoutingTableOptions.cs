namespace Dht.Routing;

/// <summary>Limits and timings of the routing table. Every default says where it comes from.</summary>
internal sealed class RoutingTableOptions
{
    /// <summary>
    /// Contacts per bucket, the paper's k. BEP 5: "Each bucket can only hold K nodes, currently eight."
    /// </summary>
    public int BucketSize { get; set; } = 8;

    /// <summary>
    /// Candidates kept per bucket for when a contact goes bad: the paper's replacement cache. 8 (one per
    /// bucket slot) as libtorrent's replacement buckets; rust-libp2p keeps a single pending entry.
    /// </summary>
    public int ReplacementCacheSize { get; set; } = 8;

    /// <summary>
    /// How long a contact stays good after it last answered us (or queried us, once it has answered at
    /// least once). BEP 5: "After 15 minutes of inactivity, a node becomes questionable."
    /// </summary>
    public TimeSpan GoodWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Consecutive failed queries after which a contact is bad. BEP 5 says only "fail to respond to multiple
    /// queries in a row"; 2 is the smallest "multiple" and frees slots of dead nodes fastest. (libtorrent
    /// defaults to 20 but replaces a failing node at once when a replacement is waiting.)
    /// </summary>
    public int MaxFailuresBeforeBad { get; set; } = 2;

    /// <summary>
    /// A bucket without activity for this long is refreshed with a lookup of a random id in its range.
    /// BEP 5: "Buckets that have not been changed in 15 minutes should be refreshed."
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// After a questionable contact has been pinged, how long it is not offered for pinging again unless the
    /// ping's outcome arrives first. 10 s: five times the 2 s hard query timeout (DESIGN.md section 4), so it
    /// only matters when an outcome is never reported.
    /// </summary>
    public TimeSpan PingRetryInterval { get; set; } = TimeSpan.FromSeconds(10);
}
