// The `dht` command line: the short form users know (`dht PORT [HOST:PORT ...]`), the node, the one-shot
// commands and `config show`. Settings come from a JSON file, DHT_ environment variables and options, in
// that order of precedence (see Configuration/ConfigurationLoader.cs).
using System.Collections;
using System.CommandLine;
using System.Globalization;
using Dht.Cli.Configuration;

namespace Dht.Cli;

/// <summary>Defines and runs the command line.</summary>
internal static class CliApp
{
    /// <summary>The most piped commands allowed at once: the node runs at most 256 operations (MaxConcurrentOperations) anyway.</summary>
    private const int MaxParallelism = 256;

    /// <summary>Runs the command line with the given streams and environment (no terminal: piped input).</summary>
    /// <param name="environment">The environment variables to read settings from (DHT_…).</param>
    /// <param name="cancellationToken">Cancelled on Ctrl+C or SIGTERM: the running command stops cleanly.</param>
    public static Task<int> RunAsync(
        string[] args, Stream input, TextWriter output, TextWriter error, IDictionary environment, CancellationToken cancellationToken = default) =>
        RunAsync(args, new CliContext(input, output, error, environment), cancellationToken);

    /// <param name="context">The standard streams, the environment, and whether standard input is a terminal.</param>
    /// <param name="cancellationToken">Cancelled on Ctrl+C or SIGTERM: the running command stops cleanly.</param>
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        var root = BuildRoot(context);
        // The caller handles signals: System.CommandLine's own handler is registered only after the action has
        // started, leaving a window in which a signal kills the process outright.
        var config = new InvocationConfiguration { Output = context.Output, Error = context.Error, ProcessTerminationTimeout = null };
        var parse = root.Parse(RewriteShortForm(args));
        int exitCode = await parse.InvokeAsync(config, cancellationToken);
        return parse.Errors.Count > 0 ? ExitCodes.Usage : exitCode;
    }

    /// <summary><c>dht 8002 localhost:8001</c> means <c>dht node --port 8002 --bootstrap localhost:8001</c>.</summary>
    internal static string[] RewriteShortForm(string[] args)
    {
        if (args.Length == 0 || !args[0].All(char.IsAsciiDigit))
        {
            return args;
        }

        var flags = SettingOptions.FlagNames.Concat(["--no-shell", "--help", "-h", "-?"]).ToHashSet(StringComparer.Ordinal);
        List<string> rewritten = ["node", "--port", args[0]];
        foreach (var a in args.Skip(1))
        {
            if (a.StartsWith('-'))
            {
                rewritten.Add(a);
            }
            else if (rewritten[^1].StartsWith('-') && (!flags.Contains(rewritten[^1]) || bool.TryParse(a, out _)))
            {
                rewritten.Add(a); // value of the preceding option (a flag's explicit true or false)
            }
            else
            {
                rewritten.Add("--bootstrap");
                rewritten.Add(a);
            }
        }

        return [.. rewritten];
    }

    /// <summary>$XDG_DATA_HOME/dht/PORT (usually ~/.local/share/dht/PORT), one folder per node on a machine.</summary>
    internal static string DefaultDataDirectory(int port) =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "dht",
            port.ToString(CultureInfo.InvariantCulture));

    private static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand(
            "dht: a Kademlia distributed hash table speaking the BitTorrent Mainline DHT protocol.\n" +
            "Short form: dht PORT [HOST:PORT ...] runs a node on PORT, joining through the given nodes.\n" +
            "get, put, delete, ping and lookup run as a read-only client (BEP 43) on a free port, keep nothing, and exit.\n" +
            "Exit status: 0 success, 1 not found / not stored, 2 usage or configuration error, 3 no bootstrap node answered.");
        root.Subcommands.Add(NodeCommand(context));
        foreach (var command in ClientCommands.Create(context))
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(ConfigCommand(context));
        root.Subcommands.Add(SimCommand.Create(context.Output, context.Error));
        return root;
    }

    private static Command NodeCommand(CliContext context)
    {
        var settings = new SettingOptions(forClients: false);
        var noShell = new Option<bool>("--no-shell") { Description = "Run without reading commands; stop with Ctrl+C or SIGTERM" };
        var parallel = new Option<int>("--parallel")
        {
            Description = "Commands read from a pipe that run at once, output still in input order (1: one at a time)",
            HelpName = "N",
            DefaultValueFactory = _ => new ShellOptions().Parallelism,
        };
        parallel.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > MaxParallelism)
            {
                r.AddError($"--parallel must be 1 to {MaxParallelism}");
            }
        });
        var command = new Command("node", "Run a node with an interactive shell (commands also read from piped standard input)") { noShell, parallel };
        settings.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            if (!settings.TryLoad(parse, context, out var loaded))
            {
                return ExitCodes.Usage;
            }

            var run = new NodeRunner(loaded, context, parse.GetValue(parallel));
            return await run.RunAsync(!parse.GetValue(noShell), ct);
        });
        return command;
    }

    private static Command ConfigCommand(CliContext context)
    {
        var settings = new SettingOptions(forClients: false);
        var show = new Command("show", "Print the effective configuration: every setting, its value and where the value came from");
        settings.AddTo(show);
        show.SetAction(async (parse, _) =>
        {
            if (!settings.TryLoad(parse, context, out var loaded))
            {
                return ExitCodes.Usage;
            }

            int width = SettingCatalog.All.Max(s => s.Key.Length);
            var values = SettingCatalog.All.Select(s => s.Show(loaded.Settings)).ToList();
            int valueWidth = Math.Min(40, values.Max(v => v.Length));
            for (int i = 0; i < values.Count; i++)
            {
                string key = SettingCatalog.All[i].Key;
                await context.Output.WriteLineAsync($"{key.PadRight(width)}  {values[i].PadRight(valueWidth)}  {loaded.SourceOf(key)}");
            }

            return ExitCodes.Success;
        });
        return new Command("config", "Inspect the configuration") { show };
    }
}
