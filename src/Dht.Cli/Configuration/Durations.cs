using System.Globalization;

namespace Dht.Cli.Configuration;

/// <summary>
/// Durations as people write them in a config file or on the command line: <c>500ms</c>, <c>2s</c>, <c>15m</c>,
/// <c>24h</c>, <c>1d</c>, or a .NET time span such as <c>00:00:02</c>. A bare number is refused: it has no unit.
/// </summary>
internal static class Durations
{
    private static readonly (string Suffix, double Milliseconds)[] Units =
        [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)];

    public static bool TryParse(string text, out TimeSpan value)
    {
        text = text.Trim();
        value = default;
        if (text.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
        }

        foreach (var (suffix, scale) in Units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text.AsSpan(0, text.Length - suffix.Length), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign,
                    CultureInfo.InvariantCulture, out double amount))
            {
                double milliseconds = amount * scale;
                if (double.IsNaN(milliseconds) || Math.Abs(milliseconds) >= TimeSpan.MaxValue.TotalMilliseconds)
                {
                    return false;
                }

                value = TimeSpan.FromMilliseconds(milliseconds);
                return true;
            }
        }

        return false;
    }

    /// <summary>The largest unit up to hours that divides the duration exactly: <c>24h</c>, <c>500ms</c>, <c>90s</c>.</summary>
    public static string Format(TimeSpan value)
    {
        for (int i = Units.Length - 2; i >= 0; i--)
        {
            var (suffix, scale) = Units[i];
            double amount = value.TotalMilliseconds / scale;
            if (amount != 0 && amount == Math.Floor(amount))
            {
                return string.Create(CultureInfo.InvariantCulture, $"{amount}{suffix}");
            }
        }

        return value.ToString("c", CultureInfo.InvariantCulture);
    }
}
