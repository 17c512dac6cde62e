// Every setting of the `dht` command, in the order `config show` and the README list them. The node's knobs
// map one to one onto DhtOptions and StorageLimits, whose doc comments say where each default comes from.
using System.Globalization;
using System.Net;
using Dht.Net;
using Dht.Storage;
using Microsoft.Extensions.Logging;

namespace Dht.Cli.Configuration;

/// <summary>The settings, with their keys, options, checks and defaults.</summary>
internal static class SettingCatalog
{
    public const string BootstrapKey = "Bootstrap";

    public static IReadOnlyList<Setting> All { get; } = Build();

    public static Setting? Find(string key) => All.FirstOrDefault(s => string.Equals(s.Key, key, StringComparison.OrdinalIgnoreCase));

    private static List<Setting> Build() =>
    [
        Int("Port", "--port", "UDP port to listen on (0 picks a free one)", 0, 65535, s => s.Options.Port, (s, v) => s.Options.Port = v,
            aliases: ["-p"], helpName: "PORT"),
        new Setting
        {
            Key = "Bind", Option = "--bind", HelpName = "ADDRESS", ForClients = true,
            Description = "Address to listen on (127.0.0.1 for a local-only network)",
            Apply = (s, raw) => Set(IPAddress.TryParse(raw.Trim(), out var a), "must be an IP address", () => s.Options.ListenAddress = a!),
            Show = s => s.Options.ListenAddress.ToString(),
        },
        new Setting
        {
            Key = BootstrapKey, Option = "--bootstrap", Aliases = ["-b"], HelpName = "HOST:PORT", IsList = true, ForClients = true,
            Description = "Node to join through (repeatable); none starts a new network",
            Apply = AddBootstrap,
            Show = s => s.Options.Bootstrap.Count == 0 ? "none" : string.Join(", ", s.Options.Bootstrap),
        },
        new Setting
        {
            Key = "DataDir", Option = "--data-dir", HelpName = "DIR",
            Description = "Where the node keeps its state (SQLite: identity, contacts, stored values)",
            DefaultText = "the user's data folder, dht/PORT; none for port 0",
            Apply = (s, raw) => Set(raw.Trim().Length > 0, "must be a directory", () => s.DataDirectory = raw.Trim()),
            Show = s => s.EffectiveDataDirectory ?? "none (in memory)",
        },
        Bool("InMemory", "--in-memory", "Keep nothing on disk", s => s.InMemory, (s, v) => s.InMemory = v),
        new Setting
        {
            Key = "LogLevel", Option = "--log-level", HelpName = "LEVEL", ForClients = true,
            Description = "Logging on standard error: Trace, Debug, Information, Warning, Error, Critical or None",
            Apply = (s, raw) => Set(TryParseLogLevel(raw, out var level), LogLevelExpected,
                () => s.LogLevel = level),
            Show = s => s.LogLevel.ToString(),
        },
        new Setting
        {
            Key = "StatusInterval", Option = "--status-interval", HelpName = "DURATION",
            Description = "How often a node without a shell (--no-shell) logs a one-line status (category Dht.Status, Information); 0: never",
            Apply = (s, raw) => raw.Trim() == "0"
                ? Done(() => s.StatusInterval = TimeSpan.Zero)
                : Set(Durations.TryParse(raw, out var v) && v >= TimeSpan.Zero, "must be a duration such as 30s, 1m or 1h, or 0 for none",
                    () => s.StatusInterval = v),
            Show = s => s.StatusInterval == TimeSpan.Zero ? "0 (none)" : Durations.Format(s.StatusInterval),
        },
        new Setting
        {
            Key = "OtlpEndpoint", Option = "--otlp-endpoint", HelpName = "URL",
            Description = "Export the node's metrics (meter Dht) with OTLP to this collector URL",
            Apply = (s, raw) => Set(Uri.TryCreate(raw.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps),
                "must be an http:// or https:// URL", () => s.OtlpEndpoint = uri),
            Show = s => s.OtlpEndpoint?.ToString() ?? "none",
        },
        new Setting
        {
            Key = "OtlpProtocol", Option = "--otlp-protocol", HelpName = "PROTOCOL",
            Description = "OTLP transport: grpc or http/protobuf",
            Apply = (s, raw) => raw.Trim().ToLowerInvariant() switch
            {
                "grpc" => Done(() => s.OtlpProtocol = OtlpProtocol.Grpc),
                "http/protobuf" or "http" => Done(() => s.OtlpProtocol = OtlpProtocol.HttpProtobuf),
                _ => "must be grpc or http/protobuf",
            },
            Show = s => s.OtlpProtocol == OtlpProtocol.Grpc ? "grpc" : "http/protobuf",
        },
        Int("BucketSize", "--bucket-size", "Bucket size k: contacts per bucket, copies of each value, lookup result size", 1, 64,
            s => s.Options.BucketSize, (s, v) => s.Options.BucketSize = v, forClients: true),
        Int("Alpha", "--alpha", "Queries in flight per lookup", 1, int.MaxValue, s => s.Options.Alpha, (s, v) => s.Options.Alpha = v, forClients: true),
        Duration("QueryTimeout", "--query-timeout", "A query unanswered this long has failed",
            s => s.Options.QueryTimeout, (s, v) => s.Options.QueryTimeout = v, forClients: true),
        Duration("SoftTimeout", "--soft-timeout", "A query unanswered this long frees its lookup slot (it may still answer)",
            s => s.Options.SoftTimeout, (s, v) => s.Options.SoftTimeout = v, forClients: true),
        Duration("BucketRefreshInterval", "--bucket-refresh", "A bucket without activity this long is refreshed",
            s => s.Options.BucketRefreshInterval, (s, v) => s.Options.BucketRefreshInterval = v),
        Duration("TokenRotationInterval", "--token-rotation", "Write-token secret rotation (the previous secret stays valid)",
            s => s.Options.TokenRotationInterval, (s, v) => s.Options.TokenRotationInterval = v),
        Duration("PeerLifetime", "--peer-lifetime", "How long an announced peer is kept",
            s => s.Options.PeerLifetime, (s, v) => s.Options.PeerLifetime = v),
        Duration("MaintenanceInterval", "--maintenance-interval", "How often routine maintenance runs",
            s => s.Options.MaintenanceInterval, (s, v) => s.Options.MaintenanceInterval = v),
        Int("MaxPendingQueries", "--max-pending-queries", "Own queries awaiting an answer at once", 1, int.MaxValue,
            s => s.Options.MaxPendingQueries, (s, v) => s.Options.MaxPendingQueries = v),
        Int("MaxConcurrentOperations", "--max-operations", "Lookups and other operations running at once", 1, int.MaxValue,
            s => s.Options.MaxConcurrentOperations, (s, v) => s.Options.MaxConcurrentOperations = v),
        Int("MaxPeersPerResponse", "--max-peers-per-response", "Peers in one get_peers answer", 1, int.MaxValue,
            s => s.Options.MaxPeersPerResponse, (s, v) => s.Options.MaxPeersPerResponse = v),
        Int("MaxPeersPerInfoHash", "--max-peers-per-infohash", "Peers kept per info-hash", 1, int.MaxValue,
            s => s.Options.MaxPeersPerInfoHash, (s, v) => s.Options.MaxPeersPerInfoHash = v),
        Int("MaxInfoHashes", "--max-infohashes", "Info-hashes with announced peers kept", 1, int.MaxValue,
            s => s.Options.MaxInfoHashes, (s, v) => s.Options.MaxInfoHashes = v),
        Int("MaxQueriesPerSecondPerIp", "--rate-limit", "Queries answered per second from one address before it is ignored for a while", 1, int.MaxValue,
            s => s.Options.MaxQueriesPerSecondPerIp, (s, v) => s.Options.MaxQueriesPerSecondPerIp = v),
        Duration("RateLimitBlockDuration", "--rate-limit-block", "How long an address over the rate limit is ignored",
            s => s.Options.RateLimitBlockDuration, (s, v) => s.Options.RateLimitBlockDuration = v),
        Int("RateLimiterCapacity", "--rate-limiter-capacity", "Source addresses the rate limiter tracks", 1, int.MaxValue,
            s => s.Options.RateLimiterCapacity, (s, v) => s.Options.RateLimiterCapacity = v),
        Int("MaxReplyBytesPerSecondPerIp", "--reply-budget", "Reply bytes per second one address may receive beyond what it sent", 1000, int.MaxValue,
            s => s.Options.MaxReplyBytesPerSecondPerIp, (s, v) => s.Options.MaxReplyBytesPerSecondPerIp = v),
        Bool("RateLimitLoopback", "--rate-limit-loopback", "Apply the rate limit and reply budget to loopback (127.0.0.1) sources too, each address and port its own source",
            s => s.Options.RateLimitLoopback, (s, v) => s.Options.RateLimitLoopback = v),
        Bool("ReadOnly", "--read-only", "BEP 43 read-only node: asks but answers no queries and is kept in no routing table",
            s => s.Options.ReadOnly, (s, v) => s.Options.ReadOnly = v),
        Bool("EnableNamedValues", "--named-values", "Serve and use named values (find_value/store); '--named-values false' turns them off",
            s => s.Options.EnableNamedValues, (s, v) => s.Options.EnableNamedValues = v, forClients: true),
        Int("Storage:MaxItems", "--max-items", "Values held (and, separately, BEP 44 items)", 1, int.MaxValue,
            s => s.Options.StorageLimits.MaxItems, (s, v) => s.Options.StorageLimits.MaxItems = v),
        Long("Storage:MaxBytes", "--max-bytes", "Bytes of values held (and, separately, of BEP 44 items)",
            s => s.Options.StorageLimits.MaxBytes, (s, v) => s.Options.StorageLimits.MaxBytes = v),
        Int("Storage:MaxItemsPerSourceIp", "--max-items-per-ip", "Entries one IP address may have stored here", 1, int.MaxValue,
            s => s.Options.StorageLimits.MaxItemsPerSourceIp, (s, v) => s.Options.StorageLimits.MaxItemsPerSourceIp = v),
        Int("Storage:MaxValueSize", "--max-value-size", "Largest value accepted, in bytes", 1, int.MaxValue,
            s => s.Options.StorageLimits.MaxValueSize, (s, v) => s.Options.StorageLimits.MaxValueSize = v),
        Duration("Storage:MaxTtl", "--max-ttl", "Longest lifetime a put may ask for",
            s => s.Options.StorageLimits.MaxTtl, (s, v) => s.Options.StorageLimits.MaxTtl = v),
        Duration("Storage:DefaultTtl", "--default-ttl", "Lifetime of a named value whose put asks for none",
            s => s.Options.StorageLimits.DefaultTtl, (s, v) => s.Options.StorageLimits.DefaultTtl = v),
        Duration("Storage:ItemLifetime", "--item-lifetime", "Lifetime of a BEP 44 item from its last put",
            s => s.Options.StorageLimits.ItemLifetime, (s, v) => s.Options.StorageLimits.ItemLifetime = v),
    ];

    /// <summary>Checks the form only: names are resolved when the command runs (<see cref="LoadedConfiguration.ResolveBootstrapAsync"/>).</summary>
    private static string? AddBootstrap(NodeSettings settings, string raw)
    {
        string text = raw.Trim();
        if (!HostEndPoint.TryParse(text, out _))
        {
            return HostEndPoint.Expected;
        }

        settings.Options.Bootstrap.Add(text);
        return null;
    }

    /// <summary>What a bad level is told, in the LogLevel setting and in the Logging section alike.</summary>
    public const string LogLevelExpected = "must be Trace, Debug, Information, Warning, Error, Critical or None";

    public static bool TryParseLogLevel(string raw, out LogLevel level) =>
        Enum.TryParse(raw.Trim(), ignoreCase: true, out level) && !raw.Trim().All(c => char.IsAsciiDigit(c) || c == '-') && Enum.IsDefined(level);

    private static string? Set(bool ok, string problem, Action apply)
    {
        if (!ok)
        {
            return problem;
        }

        apply();
        return null;
    }

    private static string? Done(Action apply)
    {
        apply();
        return null;
    }

    private static Setting Int(
        string key, string option, string description, int min, int max, Func<NodeSettings, int> get, Action<NodeSettings, int> set,
        bool forClients = false, string[]? aliases = null, string helpName = "N") => new()
        {
            Key = key,
            Option = option,
            Aliases = aliases ?? [],
            HelpName = helpName,
            Description = description,
            ForClients = forClients,
            Apply = (s, raw) => Set(
                int.TryParse(raw.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v) && v >= min && v <= max,
                max == int.MaxValue ? (min == 1 ? "must be a positive whole number" : $"must be a whole number from {min}")
                    : string.Create(CultureInfo.InvariantCulture, $"must be {min} to {max}"),
                () => set(s, v)),
            Show = s => get(s).ToString(CultureInfo.InvariantCulture),
        };

    private static Setting Long(string key, string option, string description, Func<NodeSettings, long> get, Action<NodeSettings, long> set) => new()
    {
        Key = key,
        Option = option,
        HelpName = "N",
        Description = description,
        Apply = (s, raw) => Set(
            long.TryParse(raw.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) && v > 0,
            "must be a positive whole number", () => set(s, v)),
        Show = s => get(s).ToString(CultureInfo.InvariantCulture),
    };

    private static Setting Duration(
        string key, string option, string description, Func<NodeSettings, TimeSpan> get, Action<NodeSettings, TimeSpan> set, bool forClients = false) => new()
        {
            Key = key,
            Option = option,
            HelpName = "DURATION",
            Description = description,
            ForClients = forClients,
            Apply = (s, raw) => Set(Durations.TryParse(raw, out var v) && v > TimeSpan.Zero,
                "must be a positive duration such as 500ms, 2s, 15m, 24h or 00:00:02", () => set(s, v)),
            Show = s => Durations.Format(get(s)),
        };

    private static Setting Bool(
        string key, string option, string description, Func<NodeSettings, bool> get, Action<NodeSettings, bool> set, bool forClients = false) => new()
        {
            Key = key,
            Option = option,
            HelpName = "true|false",
            IsFlag = true,
            Description = description,
            ForClients = forClients,
            Apply = (s, raw) => Set(bool.TryParse(raw.Trim(), out bool v), "must be true or false", () => set(s, v)),
            Show = s => get(s) ? "true" : "false",
        };
}
