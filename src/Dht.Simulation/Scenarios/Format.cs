using System.Globalization;

namespace Dht.Simulation.Scenarios;

/// <summary>Number formats of the reports: invariant culture, fixed decimals, so text is the same everywhere.</summary>
internal static class Format
{
    public static string Number(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < 1e15
            ? ((long)value).ToString(CultureInfo.InvariantCulture)
            : value.ToString("0.###", CultureInfo.InvariantCulture);

    public static string Fixed(double value, int decimals) => value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static string Percent(double share, int decimals = 2) => Fixed(share * 100, decimals) + "%";

    public static string Millis(double ms) => Fixed(ms, 0);

    public static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Duration(TimeSpan span) =>
        span.TotalHours >= 1
            ? Fixed(span.TotalHours, 2) + " h"
            : Fixed(span.TotalMinutes, 0) + " min";
}
