using Microsoft.Extensions.Logging;

namespace Dht.Cli.Configuration;

/// <summary>Everything the <c>dht</c> command is configured with: the node's options and the command's own settings.</summary>
internal sealed class NodeSettings
{
    /// <summary>The node's options; the bootstrap nodes as written (<see cref="DhtOptions.Bootstrap"/>) until resolved.</summary>
    public DhtOptions Options { get; } = new();

    /// <summary>Where the node keeps its state; null: the default for its port.</summary>
    public string? DataDirectory { get; set; }

    public bool InMemory { get; set; }

    /// <summary>The default level of logging: the setting LogLevel, else <c>Logging:LogLevel:Default</c>, else Warning.</summary>
    public LogLevel LogLevel { get; set; } = LogLevel.Warning;

    /// <summary>Levels per logging category, from the standard <c>Logging:LogLevel</c> section (Default excepted).</summary>
    public Dictionary<string, LogLevel> LogLevels { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How often a node without a shell logs its one-line status; zero: never.</summary>
    public TimeSpan StatusInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Where metrics are exported with OTLP; null: not exported.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>OTLP over gRPC (the default, port 4317) or over HTTP with protobuf (port 4318).</summary>
    public OtlpProtocol OtlpProtocol { get; set; } = OtlpProtocol.Grpc;

    /// <summary>
    /// The data directory in use: none in memory or for an ephemeral port (a throwaway node has nothing to come
    /// back as), else the one given or the default one for the port.
    /// </summary>
    public string? EffectiveDataDirectory =>
        InMemory ? null : DataDirectory ?? (Options.Port == 0 ? null : CliApp.DefaultDataDirectory(Options.Port));
}
