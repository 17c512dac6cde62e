namespace Dht.Simulation.Scenarios;

/// <summary>A line chart of a report: one or more series over the same labelled x positions.</summary>
public sealed class ReportChart
{
    public ReportChart(string name, string title, string xLabel, string yLabel, IReadOnlyList<string> xValues)
    {
        Name = name;
        Title = title;
        XLabel = xLabel;
        YLabel = yLabel;
        XValues = xValues;
    }

    /// <summary>File name without extension, e.g. "lookups-rounds".</summary>
    public string Name { get; }

    public string Title { get; }

    public string XLabel { get; }

    public string YLabel { get; }

    public IReadOnlyList<string> XValues { get; }

    public List<(string Name, double[] Values)> Series { get; } = [];

    /// <summary>Fixes the lower end of the y axis (default: 0) and optionally the upper end.</summary>
    public double YMin { get; init; }

    public double? YMax { get; init; }

    public void Add(string name, IEnumerable<double> values)
    {
        var array = values.ToArray();
        if (array.Length != XValues.Count)
        {
            throw new ArgumentException($"{Title}: series {name} has {array.Length} values for {XValues.Count} x positions.", nameof(values));
        }

        Series.Add((name, array));
    }

    public string ToSvg() => SvgChart.Render(this);
}
