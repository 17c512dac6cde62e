using System.Globalization;

namespace Dht.Storage;

/// <summary>
/// Limits of one store (named values, or BEP 44 items: each policy enforces its own copy of the counts,
/// so a node holding both may hold twice <see cref="MaxItems"/>). Every one is enforced.
/// </summary>
public sealed class StorageLimits
{
    /// <summary>
    /// Entries held. When full, expired entries go first, then entries of the source most over its share
    /// (see <see cref="StorageIndex"/>), farthest from this node's id first; a source that would itself be
    /// the most over its share may only displace its own entries, so no sender can push out another's data.
    /// Default 10,000: libtorrent keeps 700 BEP 44 items per table (dht_max_dht_items); we hold named values
    /// as well, and a node's share of a network's keys is small, so this leaves room while bounding memory to
    /// about 10,000 × <see cref="MaxValueSize"/> plus per-entry overhead (a few tens of megabytes at most).
    /// </summary>
    public int MaxItems { get; set; } = 10_000;

    /// <summary>
    /// Sum of the held value lengths; enforced like <see cref="MaxItems"/>. Default 16 MiB: above what
    /// 10,000 full-size values take (under 10 MiB), so by default it binds only when
    /// <see cref="MaxValueSize"/> is raised; it is the bound that holds whatever the sizes are.
    /// </summary>
    public long MaxBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// A source's share of a full store. While there is room any source may store; once the store is full, a
    /// source holding this many entries can take room only from its own entries, and the source most over its
    /// share is evicted first. A source is the address of the put's sender, or on loopback its address and
    /// port, so that the nodes of a test network on one machine are told apart (<see cref="SourceKey"/>).
    /// Default 256: OpenDHT and libtorrent bound what one source can make a node store; one address flooding
    /// puts into a full store is held to 2.5% of it. Local writes (an empty source) are not counted.
    /// </summary>
    public int MaxItemsPerSourceIp { get; set; } = 256;

    /// <summary>
    /// Sum of the value lengths one source may hold (counted like <see cref="MaxItemsPerSourceIp"/>).
    /// Default 256 KiB: 256 values of the default <see cref="MaxValueSize"/> fit, so by default the count
    /// binds first; it is the per-source bound that holds when the value size is raised.
    /// </summary>
    public long MaxBytesPerSourceIp { get; set; } = 256L * 1024;

    /// <summary>
    /// How far a named value's <c>seq</c> may run ahead of this node's clock, read as microseconds since the
    /// Unix epoch (the writer's default seq, DESIGN.md section 3). A store or delete with a higher seq is
    /// refused (KRPC 302), so nobody can lock a key with a version honest clocks never reach; a held version
    /// beyond the window stops winning as soon as the writers' clocks pass it. Default 10 minutes: Kerberos
    /// tolerates 5 minutes of clock skew, doubled because writer and holder may each be off.
    /// </summary>
    public TimeSpan MaxSeqClockSkew { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Largest value accepted, in bytes: the named value's bytes, or a BEP 44 item's encoded <c>v</c>.
    /// Default 1000: BEP 44's limit (storing nodes MAY reject larger, error 205), which DESIGN.md section 3
    /// adopts for named values so that every answer fits one unfragmented datagram.
    /// </summary>
    public int MaxValueSize { get; set; } = 1000;

    /// <summary>
    /// Longest lifetime a named-value put may ask for with its <c>ttl</c>; longer requests are cut to it.
    /// Default 24 hours: the Kademlia paper's tExpire, DESIGN.md section 3.
    /// </summary>
    public TimeSpan MaxTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Lifetime of a named value whose put carries no (or a non-positive) <c>ttl</c>. Default 24 hours: the
    /// Kademlia paper's tExpire; publishers re-publish hourly (tReplicate), well inside it.
    /// </summary>
    public TimeSpan DefaultTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Lifetime of a BEP 44 item from its last put. Default 2 hours: BEP 44 (items MAY expire after 2 hours
    /// without re-announcement; publishers SHOULD re-put hourly).
    /// </summary>
    public TimeSpan ItemLifetime { get; set; } = TimeSpan.FromHours(2);

    internal void Validate()
    {
        List<SettingProblem> problems = [];
        AddProblems("", problems);
        if (problems is [var first, ..])
        {
            throw new ArgumentOutOfRangeException(first.Key, $"{first.Key} {first.Problem}.");
        }
    }

    /// <summary>Adds a problem for each bad limit, its key prefixed with <paramref name="prefix"/> (<c>StorageLimits:</c>).</summary>
    internal void AddProblems(string prefix, List<SettingProblem> problems)
    {
        void Check(bool ok, string name, FormattableString problem)
        {
            if (!ok)
            {
                problems.Add(new SettingProblem(prefix + name, problem.ToString(CultureInfo.InvariantCulture)));
            }
        }

        Check(MaxItems > 0, nameof(MaxItems), $"must be positive, was {MaxItems}");
        Check(MaxBytes > 0, nameof(MaxBytes), $"must be positive, was {MaxBytes}");
        Check(MaxItemsPerSourceIp > 0, nameof(MaxItemsPerSourceIp), $"must be positive, was {MaxItemsPerSourceIp}");
        Check(MaxBytesPerSourceIp > 0, nameof(MaxBytesPerSourceIp), $"must be positive, was {MaxBytesPerSourceIp}");
        Check(MaxSeqClockSkew >= TimeSpan.Zero, nameof(MaxSeqClockSkew), $"must not be negative, was {MaxSeqClockSkew}");
        Check(MaxValueSize > 0, nameof(MaxValueSize), $"must be positive, was {MaxValueSize}");
        Check(MaxTtl > TimeSpan.Zero, nameof(MaxTtl), $"must be positive, was {MaxTtl}");
        Check(DefaultTtl > TimeSpan.Zero, nameof(DefaultTtl), $"must be positive, was {DefaultTtl}");
        Check(DefaultTtl <= MaxTtl, nameof(DefaultTtl), $"must not exceed {nameof(MaxTtl)} ({MaxTtl}), was {DefaultTtl}");
        Check(ItemLifetime > TimeSpan.Zero, nameof(ItemLifetime), $"must be positive, was {ItemLifetime}");
    }
}
