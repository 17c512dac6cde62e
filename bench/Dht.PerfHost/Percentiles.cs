namespace Dht.PerfHost;

/// <summary>Nearest-rank percentiles, the same definition the other hosts use.</summary>
internal static class Percentiles
{
    public static double Of(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        int rank = (int)Math.Ceiling(p * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
