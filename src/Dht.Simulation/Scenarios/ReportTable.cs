using System.Text;

namespace Dht.Simulation.Scenarios;

/// <summary>A table of a report: formatted cells, so that its text is the same on every machine.</summary>
public sealed class ReportTable
{
    public ReportTable(string title, params string[] columns)
    {
        Title = title;
        Columns = columns;
    }

    public string Title { get; }

    public IReadOnlyList<string> Columns { get; }

    public List<string[]> Rows { get; } = [];

    public void Add(params string[] cells)
    {
        if (cells.Length != Columns.Count)
        {
            throw new ArgumentException($"{Title}: a row has {cells.Length} cells for {Columns.Count} columns.", nameof(cells));
        }

        Rows.Add(cells);
    }

    /// <summary>A Markdown table with padded columns (readable as plain text too).</summary>
    public string ToText()
    {
        var widths = Columns.Select(c => c.Length).ToArray();
        foreach (var row in Rows)
        {
            for (int i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        var text = new StringBuilder();
        text.Append(Title).Append('\n').Append('\n');
        AppendRow(text, Columns, widths);
        text.Append('|');
        foreach (int w in widths)
        {
            text.Append(' ').Append('-', w).Append(" |");
        }

        text.Append('\n');
        foreach (var row in Rows)
        {
            AppendRow(text, row, widths);
        }

        return text.ToString();
    }

    private static void AppendRow(StringBuilder text, IReadOnlyList<string> cells, int[] widths)
    {
        text.Append('|');
        for (int i = 0; i < cells.Count; i++)
        {
            text.Append(' ').Append(cells[i].PadLeft(widths[i])).Append(" |");
        }

        text.Append('\n');
    }
}
