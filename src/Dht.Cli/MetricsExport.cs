// Metrics leave the process only when asked: with an OTLP endpoint configured, the node's meter "Dht" (which
// DhtNode publishes) is read by OpenTelemetry and exported periodically and once more at shutdown.
using Dht.Cli.Configuration;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace Dht.Cli;

/// <summary>Starts the OTLP export of the meter "Dht".</summary>
internal static class MetricsExport
{
    public const string MeterName = "Dht";

    /// <summary>A provider exporting to <paramref name="endpoint"/>; disposing it flushes and stops the export.</summary>
    public static MeterProvider Start(Uri endpoint, OtlpProtocol protocol) =>
        Sdk.CreateMeterProviderBuilder()
            .AddMeter(MeterName)
            .AddOtlpExporter(o =>
            {
                o.Protocol = protocol == OtlpProtocol.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                o.Endpoint = ExportUri(endpoint, protocol);
            })
            .Build();

    /// <summary>
    /// Over HTTP an endpoint set in code is used as it is, so a bare collector address gets the metrics path
    /// that the OTLP specification gives it.
    /// </summary>
    internal static Uri ExportUri(Uri endpoint, OtlpProtocol protocol) =>
        protocol == OtlpProtocol.HttpProtobuf && endpoint.AbsolutePath is "/" or ""
            ? new Uri(endpoint, "/v1/metrics")
            : endpoint;
}
