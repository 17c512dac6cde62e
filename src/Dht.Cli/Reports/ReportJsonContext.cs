using System.Text.Json.Serialization;

namespace Dht.Cli.Reports;

/// <summary>
/// The <c>--json</c> output of the one-shot commands, generated at build time (no reflection, so native AOT
/// and trimming keep it). One object per run, on one line, camelCase fields as the README lists them.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(GetReport))]
[JsonSerializable(typeof(PutReport))]
[JsonSerializable(typeof(DeleteReport))]
[JsonSerializable(typeof(PingReport))]
[JsonSerializable(typeof(LookupReport))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;
