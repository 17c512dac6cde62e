// The `dht` command line: the short form users know (`dht PORT [HOST:PORT ...]`) and the long forms.
using System.CommandLine;
using System.Globalization;
using System.Net;
using Dht.Protocol;
using Microsoft.Extensions.Logging;

namespace Dht.Cli;

/// <summary>Defines and runs the command line.</summary>
internal static class CliApp
{
    /// <param name="cancellationToken">Cancelled on Ctrl+C or SIGTERM: the running command stops cleanly.</param>
    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var root = BuildRoot(input, output, error);
        // The caller handles signals: System.CommandLine's own handler is registered only after the action has
        // started, leaving a window in which a signal kills the process outright.
        var config = new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null };
        return await root.Parse(RewriteShortForm(args)).InvokeAsync(config, cancellationToken);
    }

    /// <summary><c>dht 8002 localhost:8001</c> means <c>dht node --port 8002 --bootstrap localhost:8001</c>.</summary>
    internal static string[] RewriteShortForm(string[] args)
    {
        if (args.Length == 0 || !args[0].All(char.IsAsciiDigit))
        {
            return args;
        }

        List<string> rewritten = ["node", "--port", args[0]];
        foreach (var a in args.Skip(1))
        {
            if (a.StartsWith('-'))
            {
                rewritten.Add(a);
            }
            else if (rewritten[^1].StartsWith('-') && !IsFlag(rewritten[^1]))
            {
                rewritten.Add(a); // value of the preceding option
            }
            else
            {
                rewritten.Add("--bootstrap");
                rewritten.Add(a);
            }
        }

        return [.. rewritten];

        static bool IsFlag(string option) => option is "--verbose" or "-v" or "--no-shell" or "--in-memory" or "--help" or "-h" or "-?";
    }

    private static RootCommand BuildRoot(TextReader input, TextWriter output, TextWriter error)
    {
        var root = new RootCommand(
            "dht: a Kademlia distributed hash table speaking the BitTorrent Mainline DHT protocol.\n" +
            "Short form: dht PORT [HOST:PORT ...] runs a node on PORT, joining through the given nodes.");
        root.Subcommands.Add(NodeCommand(input, output, error));
        return root;
    }

    /// <summary>$XDG_DATA_HOME/dht/PORT (usually ~/.local/share/dht/PORT), one folder per node on a machine.</summary>
    internal static string DefaultDataDirectory(int port) =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "dht",
            port.ToString(CultureInfo.InvariantCulture));

    internal static Option<LogLevel> LogLevelOption() => new("--log-level")
    {
        Description = "Log level on standard error: Trace, Debug, Information, Warning, Error, None",
        DefaultValueFactory = _ => LogLevel.Warning,
    };

    private static Command NodeCommand(TextReader input, TextWriter output, TextWriter error)
    {
        var port = new Option<int>("--port", "-p")
        {
            Description = "UDP port to listen on (0 picks a free one)",
            DefaultValueFactory = _ => 6881,
        };
        port.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && !int.TryParse(r.Tokens[^1].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            {
                return; // not a number: the parser reports that itself, and reading the value here would throw
            }

            int value = r.GetValueOrDefault<int>();
            if (value is < 0 or > 65535)
            {
                r.AddError($"--port must be 0 to 65535 (was {value.ToString(CultureInfo.InvariantCulture)})");
            }
        });
        var bind = new Option<string>("--bind")
        {
            Description = "Address to listen on",
            DefaultValueFactory = _ => "0.0.0.0",
        };
        bind.Validators.Add(r =>
        {
            if (!IPAddress.TryParse(r.GetValueOrDefault<string>(), out _))
            {
                r.AddError($"--bind must be an IP address (was '{r.GetValueOrDefault<string>()}')");
            }
        });
        var bootstrap = new Option<string[]>("--bootstrap", "-b")
        {
            Description = "HOST:PORT of a node to join through (repeatable); none starts a new network",
            AllowMultipleArgumentsPerToken = true,
        };
        var dataDir = new Option<string?>("--data-dir")
        {
            Description = "Where the node keeps its state (SQLite: identity, contacts, stored values); default: the user's data folder, dht/PORT",
        };
        var inMemory = new Option<bool>("--in-memory") { Description = "Keep nothing on disk (the default for --port 0)" };
        var noShell = new Option<bool>("--no-shell") { Description = "Run without reading commands; stop with Ctrl+C or SIGTERM" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log debug details on standard error" };
        var logLevel = LogLevelOption();
        var command = new Command("node", "Run a node with an interactive shell (commands also read from piped standard input)")
        {
            port, bind, bootstrap, dataDir, inMemory, noShell, verbose, logLevel,
        };
        command.SetAction(async (parse, ct) =>
        {
            var options = new DhtOptions
            {
                Port = parse.GetValue(port),
                ListenAddress = IPAddress.Parse(parse.GetValue(bind)!),
            };
            foreach (var b in parse.GetValue(bootstrap) ?? [])
            {
                if (!EndPointResolver.TryResolve(b, out var ep, out var problem))
                {
                    await error.WriteLineAsync($"Error: --bootstrap {problem}");
                    return 2;
                }

                options.BootstrapNodes.Add(ep.Value);
            }

            var level = parse.GetValue(verbose) ? LogLevel.Debug : parse.GetValue(logLevel);
            // An ephemeral port is a throwaway node: nothing to come back as, so nothing on disk unless asked.
            string? directory = parse.GetValue(inMemory) ? null
                : parse.GetValue(dataDir) ?? (options.Port == 0 ? null : DefaultDataDirectory(options.Port));
            var run = new NodeRunner(options, directory, level, input, output, error);
            return await run.RunAsync(!parse.GetValue(noShell), ct);
        });
        return command;
    }
}
