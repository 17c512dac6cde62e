namespace Dht.Adversary;

/// <summary>Nearest-rank percentiles, as the other benchmark hosts compute them.</summary>
internal static class Percentiles
{
    public static double Of(IReadOnlyCollection<double> values, double p)
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
