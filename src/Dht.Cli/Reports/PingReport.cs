using System.Globalization;

namespace Dht.Cli.Reports;

/// <summary>The answer to <c>ping</c>: its <c>--json</c> object and its line of text.</summary>
/// <param name="EndPoint">The node pinged (ADDRESS:PORT).</param>
/// <param name="Answered">It answered.</param>
/// <param name="NodeId">Its node id; null without an answer.</param>
/// <param name="RoundTripMs">The round-trip time in milliseconds; null without an answer.</param>
internal sealed record PingReport(string EndPoint, bool Answered, string? NodeId, double? RoundTripMs)
{
    public string ToText() => Answered
        ? string.Create(CultureInfo.InvariantCulture, $"Pong from {EndPoint} ({NodeId}) in {RoundTripMs:0.0} ms")
        : $"No answer from {EndPoint}";
}
