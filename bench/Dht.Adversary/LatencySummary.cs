using System.Globalization;
using Dht.PerfHost;

namespace Dht.Adversary;

/// <summary>How many answers came, and how long after their query (nearest-rank percentiles, milliseconds).</summary>
internal sealed record LatencySummary(int Count, double P50Ms, double P99Ms, double MaxMs)
{
    public static LatencySummary Of(List<double> milliseconds) =>
        new(milliseconds.Count, Percentiles.Of(milliseconds, 0.5), Percentiles.Of(milliseconds, 0.99), milliseconds.Count == 0 ? double.NaN : milliseconds.Max());

    public override string ToString() => Count == 0
        ? "none"
        : string.Create(CultureInfo.InvariantCulture, $"{Count} (after p50 {P50Ms:0.00} ms, p99 {P99Ms:0.00} ms, max {MaxMs:0.0} ms)");

    public string ToJson() => string.Create(CultureInfo.InvariantCulture,
        $"{{\"count\":{Count},\"p50_ms\":{Json(P50Ms)},\"p99_ms\":{Json(P99Ms)},\"max_ms\":{Json(MaxMs)}}}");

    /// <summary>A number for JSON, where NaN (no answers) is not one.</summary>
    public static string Json(double value) =>
        double.IsNaN(value) ? "null" : value.ToString("0.000", CultureInfo.InvariantCulture);
}
