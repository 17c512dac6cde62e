namespace Dht.Cli.Configuration;

/// <summary>How metrics reach the OTLP collector.</summary>
internal enum OtlpProtocol
{
    /// <summary>gRPC, usually port 4317.</summary>
    Grpc,

    /// <summary>HTTP with protobuf bodies, usually port 4318, path /v1/metrics.</summary>
    HttpProtobuf,
}
