// `dht sim`: runs a scale scenario on a simulated network of real nodes and prints its table. The table (and
// the JSON and SVG files) depend only on the options and the seed, so the same command prints the same bytes
// on every run; the wall time and memory it took go to standard error, apart.
using System.CommandLine;
using System.Text.Json;
using Dht.Simulation.Scenarios;

namespace Dht.Cli;

/// <summary>The <c>sim</c> subcommand.</summary>
internal static class SimCommand
{
    private const int Success = 0;
    private const int TargetMissed = 1;
    private const int Usage = 2;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var defaults = new ScenarioSettings();
        var scenario = new Option<string>("--scenario", "-s")
        {
            Description = $"What to run: {string.Join(", ", ScenarioRunner.Names)} or all",
            DefaultValueFactory = _ => ScenarioRunner.Lookups,
        };
        scenario.AcceptOnlyFromAmong([.. ScenarioRunner.Names, "all"]);
        var nodes = new Option<int>("--nodes", "-n") { Description = "Network size (lookups also measures N/100 and N/10)", DefaultValueFactory = _ => defaults.Nodes };
        var seed = new Option<int>("--seed") { Description = "Seed of every random choice; the same seed prints the same table", DefaultValueFactory = _ => defaults.Seed };
        var json = new Option<FileInfo?>("--json") { Description = "Also write the results as JSON to this file" };
        var svg = new Option<DirectoryInfo?>("--svg") { Description = "Write the charts as SVG files into this directory" };
        var lookups = new Option<int>("--lookups") { Description = "Lookups measured at each size", DefaultValueFactory = _ => defaults.Lookups };
        var keys = new Option<int>("--keys") { Description = "Keys stored (loss, partition, churn)", DefaultValueFactory = _ => defaults.Keys };
        var gets = new Option<int>("--gets") { Description = "Gets per loss rate or per churn sample", DefaultValueFactory = _ => defaults.Gets };
        var hours = new Option<double>("--hours") { Description = "Virtual hours of churn", DefaultValueFactory = _ => defaults.Hours };
        var churn = new Option<double>("--churn") { Description = "Share of the nodes leaving (and joining) per hour", DefaultValueFactory = _ => defaults.ChurnPerHour };
        var loss = new Option<double[]>("--loss")
        {
            Description = "Packet loss rates measured by the loss scenario",
            DefaultValueFactory = _ => [.. defaults.LossRates],
            AllowMultipleArgumentsPerToken = true,
        };
        var partition = new Option<double>("--partition-minutes")
        {
            Description = "How long the halves of the partition scenario stay apart before storing",
            DefaultValueFactory = _ => defaults.PartitionTime.TotalMinutes,
        };
        var command = new Command("sim", "Run a scale scenario on a deterministic simulated network of real nodes (exit status 1: a target missed)")
        {
            scenario, nodes, seed, json, svg, lookups, keys, gets, hours, churn, loss, partition,
        };
        command.SetAction(parse =>
        {
            var settings = new ScenarioSettings
            {
                Nodes = parse.GetValue(nodes),
                Seed = parse.GetValue(seed),
                Lookups = parse.GetValue(lookups),
                Keys = parse.GetValue(keys),
                Gets = parse.GetValue(gets),
                Hours = parse.GetValue(hours),
                ChurnPerHour = parse.GetValue(churn),
                LossRates = parse.GetValue(loss) ?? [],
                PartitionTime = TimeSpan.FromMinutes(parse.GetValue(partition)),
            };
            if (settings.Nodes < 10 || settings.Lookups < 1 || settings.Keys < 2 || settings.Gets < 1 || settings.Hours <= 0 ||
                settings.ChurnPerHour < 0 || settings.PartitionTime < TimeSpan.Zero || settings.LossRates.Any(r => r is < 0 or > 1))
            {
                error.WriteLine("Error: --nodes must be at least 10, --lookups, --keys (2+) and --gets positive, --hours positive, --churn and --loss from 0 to 1");
                return Usage;
            }

            string chosen = parse.GetValue(scenario)!;
            var names = chosen == "all" ? ScenarioRunner.Names : [chosen];
            var reports = new List<ScenarioReport>();
            foreach (var name in names)
            {
                var report = ScenarioRunner.Run(name, settings, error);
                reports.Add(report);
                output.Write(report.ToText());
                output.WriteLine();
                error.WriteLine($"{name}: measured on this machine (not part of the table): {report.HostText()}");
            }

            if (parse.GetValue(json) is { } jsonFile)
            {
                WriteJson(jsonFile, reports);
            }

            if (parse.GetValue(svg) is { } directory)
            {
                directory.Create();
                foreach (var chart in reports.SelectMany(r => r.Charts))
                {
                    File.WriteAllText(Path.Combine(directory.FullName, chart.Name + ".svg"), chart.ToSvg());
                }
            }

            return reports.All(r => r.Passed) ? Success : TargetMissed;
        });
        return command;
    }

    private static void WriteJson(FileInfo file, List<ScenarioReport> reports)
    {
        using var stream = file.Create();
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        if (reports.Count == 1)
        {
            reports[0].WriteJson(writer);
        }
        else
        {
            writer.WriteStartObject();
            writer.WriteStartArray("scenarios");
            foreach (var report in reports)
            {
                report.WriteJson(writer);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.Flush();
    }
}
