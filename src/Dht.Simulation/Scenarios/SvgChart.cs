// Draws a ReportChart as a small, self-contained SVG: axes, a light grid, one polyline with markers per series
// and a legend. Numbers are written with the invariant culture, so the same report gives the same file.
using System.Globalization;
using System.Security;
using System.Text;

namespace Dht.Simulation.Scenarios;

internal static class SvgChart
{
    private const int Width = 640;
    private const int Height = 360;
    private const int Left = 64;
    private const int Right = 150;
    private const int Top = 40;
    private const int Bottom = 56;

    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

    public static string Render(ReportChart chart)
    {
        double max = chart.YMax ?? NiceCeiling(chart.Series.SelectMany(s => s.Values).DefaultIfEmpty(1).Max());
        double min = chart.YMin;
        if (max <= min)
        {
            max = min + 1;
        }

        double plotWidth = Width - Left - Right;
        double plotHeight = Height - Top - Bottom;
        int n = chart.XValues.Count;
        double X(int i) => Left + (n == 1 ? plotWidth / 2 : plotWidth * i / (n - 1));
        double Y(double v) => Top + plotHeight * (1 - ((Math.Clamp(v, min, max) - min) / (max - min)));

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">{Escape(chart.Title)}</text>\n");

        const int ticks = 5;
        for (int t = 0; t <= ticks; t++)
        {
            double value = min + ((max - min) * t / ticks);
            string y = N(Y(value));
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{y}\" x2=\"{Width - Right}\" y2=\"{y}\" stroke=\"#ddd\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{y}\" dy=\"4\" text-anchor=\"end\">{Escape(Format.Number(Math.Round(value, 3)))}</text>\n");
        }

        for (int i = 0; i < n; i++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(X(i))}\" y=\"{Height - Bottom + 18}\" text-anchor=\"middle\">{Escape(chart.XValues[i])}</text>\n");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\" stroke=\"black\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\" stroke=\"black\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(Left + (plotWidth / 2))}\" y=\"{Height - 14}\" text-anchor=\"middle\">{Escape(chart.XLabel)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"16\" y=\"{N(Top + (plotHeight / 2))}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {N(Top + (plotHeight / 2))})\">{Escape(chart.YLabel)}</text>\n");

        for (int s = 0; s < chart.Series.Count; s++)
        {
            var (name, values) = chart.Series[s];
            string color = Colors[s % Colors.Length];
            var points = string.Join(" ", values.Select((v, i) => $"{N(X(i))},{N(Y(v))}"));
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{points}\"/>\n");
            for (int i = 0; i < values.Length; i++)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{N(X(i))}\" cy=\"{N(Y(values[i]))}\" r=\"3\" fill=\"{color}\"/>\n");
            }

            int legendY = Top + 8 + (s * 18);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Width - Right + 12}\" y1=\"{legendY}\" x2=\"{Width - Right + 32}\" y2=\"{legendY}\" stroke=\"{color}\" stroke-width=\"2\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Right + 38}\" y=\"{legendY}\" dy=\"4\">{Escape(name)}</text>\n");
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    // 1, 2 or 5 times a power of ten, at or above the value.
    private static double NiceCeiling(double value)
    {
        if (value <= 0)
        {
            return 1;
        }

        double power = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (double step in (ReadOnlySpan<double>)[1, 2, 5, 10])
        {
            if (step * power >= value)
            {
                return step * power;
            }
        }

        return 10 * power;
    }

    private static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Escape(string text) => SecurityElement.Escape(text) ?? string.Empty;
}
