// The outcome of a scenario run. Everything in it except Host comes from the simulation alone, so the same
// seed and settings give the same text and JSON byte for byte; Host holds what depends on the machine
// (wall time, memory) and is printed apart from the table.
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Dht.Simulation.Scenarios;

/// <summary>Tables, checks, charts and counters of one scenario run.</summary>
public sealed class ScenarioReport
{
    public ScenarioReport(string scenario, ScenarioSettings settings)
    {
        Scenario = scenario;
        Settings = settings;
    }

    public string Scenario { get; }

    public ScenarioSettings Settings { get; }

    public List<ReportTable> Tables { get; } = [];

    public List<ReportCheck> Checks { get; } = [];

    public List<ReportChart> Charts { get; } = [];

    /// <summary>Deterministic counters (virtual time, events, datagrams), in the order they were added.</summary>
    public List<(string Name, double Value)> Metrics { get; } = [];

    /// <summary>Machine-dependent measurements (wall time, bytes per node): never part of the table.</summary>
    public List<(string Name, double Value)> Host { get; } = [];

    public bool Passed => Checks.All(c => c.Passed);

    /// <summary>The deterministic text: a header, the tables, the checks and the counters.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"scenario {Scenario}, seed {Settings.Seed}, nodes {Settings.Nodes}\n\n");
        foreach (var table in Tables)
        {
            text.Append(table.ToText()).Append('\n');
        }

        if (Checks.Count > 0)
        {
            var checks = new ReportTable("Targets", "check", "target", "measured", "result");
            foreach (var check in Checks)
            {
                checks.Add(check.Name, check.Target, check.Value, check.Passed ? "pass" : "FAIL");
            }

            text.Append(checks.ToText()).Append('\n');
        }

        text.Append(string.Join(", ", Metrics.Select(m => $"{m.Name} {Format.Number(m.Value)}"))).Append('\n');
        return text.ToString();
    }

    /// <summary>The host measurements as one line (wall time, memory).</summary>
    public string HostText() => string.Join(", ", Host.Select(m => $"{m.Name} {Format.Number(m.Value)}"));

    /// <summary>Writes the report as JSON; the "host" object is the only part that varies between machines.</summary>
    public void WriteJson(Utf8JsonWriter json)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject();
        json.WriteString("scenario", Scenario);
        json.WriteNumber("seed", Settings.Seed);
        json.WriteNumber("nodes", Settings.Nodes);
        json.WriteBoolean("passed", Passed);
        json.WriteStartArray("tables");
        foreach (var table in Tables)
        {
            json.WriteStartObject();
            json.WriteString("title", table.Title);
            json.WriteStartArray("columns");
            foreach (var column in table.Columns)
            {
                json.WriteStringValue(column);
            }

            json.WriteEndArray();
            json.WriteStartArray("rows");
            foreach (var row in table.Rows)
            {
                json.WriteStartArray();
                foreach (var cell in row)
                {
                    json.WriteStringValue(cell);
                }

                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("checks");
        foreach (var check in Checks)
        {
            json.WriteStartObject();
            json.WriteString("name", check.Name);
            json.WriteString("target", check.Target);
            json.WriteString("measured", check.Value);
            json.WriteBoolean("passed", check.Passed);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartObject("series");
        foreach (var chart in Charts)
        {
            json.WriteStartObject(chart.Name);
            json.WriteString("x", chart.XLabel);
            json.WriteString("y", chart.YLabel);
            json.WriteStartArray("xValues");
            foreach (var x in chart.XValues)
            {
                json.WriteStringValue(x);
            }

            json.WriteEndArray();
            foreach (var (name, values) in chart.Series)
            {
                json.WriteStartArray(name);
                foreach (var v in values)
                {
                    json.WriteNumberValue(Math.Round(v, 6));
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
        WriteNumbers(json, "metrics", Metrics);
        WriteNumbers(json, "host", Host);
        json.WriteEndObject();
    }

    private static void WriteNumbers(Utf8JsonWriter json, string name, List<(string Name, double Value)> values)
    {
        json.WriteStartObject(name);
        foreach (var (key, value) in values)
        {
            json.WriteNumber(key, Math.Round(value, 6));
        }

        json.WriteEndObject();
    }
}
