using System.Globalization;

namespace Dht.Adversary;

/// <summary>What the legitimate pinger saw over a whole run.</summary>
internal sealed record PingSummary(int Sent, int Answered, double P50Ms, double P99Ms, double MaxMs)
{
    public int Lost => Sent - Answered;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"pinger: {Sent} pings, {Lost} lost ({100.0 * Lost / Math.Max(1, Sent):0.00} %), p50 {P50Ms:0.00} ms, p99 {P99Ms:0.00} ms, max {MaxMs:0.0} ms");

    public string ToJson() => string.Create(CultureInfo.InvariantCulture,
        $"{{\"sent\":{Sent},\"lost\":{Lost},\"p50_ms\":{P50Ms:0.000},\"p99_ms\":{P99Ms:0.000},\"max_ms\":{MaxMs:0.000}}}");
}
