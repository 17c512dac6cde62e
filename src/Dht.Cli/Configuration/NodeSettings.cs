using Microsoft.Extensions.Logging;

namespace Dht.Cli.Configuration;

/// <summary>Everything the <c>dht</c> command is configured with: the node's options and the command's own settings.</summary>
internal sealed class NodeSettings
{
    /// <summary>The node's options, bootstrap nodes resolved.</summary>
    public DhtOptions Options { get; } = new();

    /// <summary>The bootstrap nodes as written (HOST:PORT).</summary>
    public List<string> Bootstrap { get; } = [];

    /// <summary>Where the node keeps its state; null: the default for its port.</summary>
    public string? DataDirectory { get; set; }

    public bool InMemory { get; set; }

    public LogLevel LogLevel { get; set; } = LogLevel.Warning;

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
