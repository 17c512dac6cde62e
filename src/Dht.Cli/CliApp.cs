// The `dht` command line: the short form users know (`dht PORT [HOST:PORT ...]`), the node, the one-shot
// commands and `config show`. Settings come from a JSON file, DHT_ environment variables and options, in
// that order of precedence (see Configuration/ConfigurationLoader.cs).
using System.Collections;
using System.CommandLine;
using System.Globalization;
using System.Text;
using Dht.Cli.Configuration;

namespace Dht.Cli;

/// <summary>Defines and runs the command line.</summary>
internal static class CliApp
{
    /// <summary>Runs the command line with the process's environment variables.</summary>
    /// <param name="cancellationToken">Cancelled on Ctrl+C or SIGTERM: the running command stops cleanly.</param>
    public static Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error, CancellationToken cancellationToken = default) =>
        RunAsync(args, input, output, error, Environment.GetEnvironmentVariables(), cancellationToken);

    /// <param name="environment">The environment variables to read settings from (DHT_…).</param>
    /// <param name="cancellationToken">Cancelled on Ctrl+C or SIGTERM: the running command stops cleanly.</param>
    public static async Task<int> RunAsync(
        string[] args, TextReader input, TextWriter output, TextWriter error, IDictionary environment, CancellationToken cancellationToken = default)
    {
        var root = BuildRoot(new CliContext(input, output, error, environment));
        // The caller handles signals: System.CommandLine's own handler is registered only after the action has
        // started, leaving a window in which a signal kills the process outright.
        var config = new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null };
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
        root.Subcommands.Add(GetCommand(context));
        root.Subcommands.Add(PutCommand(context));
        root.Subcommands.Add(DeleteCommand(context));
        root.Subcommands.Add(PingCommand(context));
        root.Subcommands.Add(LookupCommand(context));
        root.Subcommands.Add(ConfigCommand(context));
        root.Subcommands.Add(SimCommand.Create(context.Output, context.Error));
        return root;
    }

    private static Command NodeCommand(CliContext context)
    {
        var settings = new SettingOptions(forClients: false);
        var noShell = new Option<bool>("--no-shell") { Description = "Run without reading commands; stop with Ctrl+C or SIGTERM" };
        var command = new Command("node", "Run a node with an interactive shell (commands also read from piped standard input)") { noShell };
        settings.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            if (!settings.TryLoad(parse, context, out var loaded))
            {
                return ExitCodes.Usage;
            }

            var run = new NodeRunner(loaded.Settings, context.Input, context.Output, context.Error);
            return await run.RunAsync(!parse.GetValue(noShell), ct);
        });
        return command;
    }

    private static Command GetCommand(CliContext context)
    {
        var key = KeyArgument("KEY", "A key name, a BEP 44 immutable item's hash (40 hex digits) or a signed value (PUBKEY/NAME)");
        return ClientCommand("get", "Get the newest value of a key from the network (exit status 1: not found)", context, join: true, [key],
            async (parse, node, ct) => await NodeCommands.GetAsync(node, parse.GetValue(key)!, context.Output, ct) ? ExitCodes.Success : ExitCodes.Failure);
    }

    private static Command PutCommand(CliContext context)
    {
        var key = KeyArgument("KEY", "The key name (none with --immutable)");
        key.Arity = ArgumentArity.ZeroOrOne;
        var value = new Argument<string[]>("VALUE")
        {
            Description = "The value (words joined by spaces; UTF-8, at most 1000 bytes); none: read from standard input",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var immutable = new Option<bool>("--immutable")
        {
            Description = "Store a BEP 44 immutable item instead: every word is the value, and its hash is printed (get HASH reads it)",
        };
        var command = ClientCommand("put", "Store a value under a key on the k closest nodes (exit status 1: no node stored it)", context, join: true, [key, value],
            async (parse, node, ct) =>
            {
                bool isImmutable = parse.GetValue(immutable);
                string? name = parse.GetValue(key);
                string[] words = parse.GetValue(value) ?? [];
                if (isImmutable && name is not null)
                {
                    words = [name, .. words];
                }

                string text = words.Length > 0 ? string.Join(' ', words) : TrimFinalNewLine(await ReadAllAsync(context.Input, ct));
                if (text.Length == 0)
                {
                    await context.Error.WriteLineAsync("Error: no value: give VALUE or write it to standard input");
                    return ExitCodes.Usage;
                }

                var bytes = Encoding.UTF8.GetBytes(text);
                bool stored = isImmutable
                    ? await NodeCommands.PutImmutableAsync(node, bytes, context.Output, ct)
                    : await NodeCommands.PutAsync(node, name!, bytes, context.Output, ct);
                return stored ? ExitCodes.Success : ExitCodes.Failure;
            });
        command.Options.Add(immutable);
        command.Validators.Add(r =>
        {
            if (!r.GetValue(immutable) && r.GetValue(key) is null)
            {
                r.AddError("KEY is required (or --immutable VALUE for a BEP 44 immutable item)");
            }
        });
        return command;
    }

    private static Command DeleteCommand(CliContext context)
    {
        var key = KeyArgument("KEY", "The key name");
        return ClientCommand("delete", "Delete a key: a tombstone with a newer version (exit status 1: no node stored it)", context, join: true, [key],
            async (parse, node, ct) => await NodeCommands.DeleteAsync(node, parse.GetValue(key)!, context.Output, ct) ? ExitCodes.Success : ExitCodes.Failure);
    }

    private static Command PingCommand(CliContext context)
    {
        var target = KeyArgument("HOST:PORT", "The node to ping");
        var command = ClientCommand("ping", "Send a KRPC ping to a node (exit status 3: no answer)", context, join: false, [target],
            async (parse, node, ct) =>
            {
                var endPoint = EndPointResolver.TryResolve(parse.GetValue(target)!, out var ep, out _) ? ep : null;
                return await NodeCommands.PingAsync(node, endPoint!.Value, context.Output, ct) ? ExitCodes.Success : ExitCodes.Network;
            });
        target.Validators.Add(r =>
        {
            if (!EndPointResolver.TryResolve(r.GetValueOrDefault<string>() ?? "", out _, out string? problem))
            {
                r.AddError($"HOST:PORT: {problem}");
            }
        });
        return command;
    }

    private static Command LookupCommand(CliContext context)
    {
        var target = KeyArgument("ID|KEY", "A node id (40 hex digits) or a key name (its SHA-1 is looked up)");
        return ClientCommand("lookup", "Find the k nodes closest to an id or key, printing every node asked on the way", context, join: true, [target],
            async (parse, node, ct) =>
            {
                await NodeCommands.LookupAsync(node, parse.GetValue(target)!, showPath: true, context.Output, ct);
                return ExitCodes.Success;
            });
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

    /// <summary>A one-shot command: a read-only client that joins, runs the operation and exits.</summary>
    private static Command ClientCommand(
        string name, string description, CliContext context, bool join, Argument[] arguments, Func<ParseResult, DhtNode, CancellationToken, Task<int>> operation)
    {
        var settings = new SettingOptions(forClients: true);
        var command = new Command(name, description);
        foreach (var argument in arguments)
        {
            command.Arguments.Add(argument);
        }

        settings.AddTo(command);
        command.SetAction(async (parse, ct) =>
            settings.TryLoad(parse, context, out var loaded)
                ? await ClientRunner.RunAsync(loaded.Settings, join, (node, token) => operation(parse, node, token), context, ct)
                : ExitCodes.Usage);
        return command;
    }

    private static Argument<string> KeyArgument(string name, string description)
    {
        var argument = new Argument<string>(name) { Description = description };
        argument.Validators.Add(r =>
        {
            if (string.IsNullOrWhiteSpace(r.GetValueOrDefault<string>()))
            {
                r.AddError($"{name} must not be empty");
            }
        });
        return argument;
    }

    /// <summary>Standard input to its end; Console.In reads synchronously and ignores the token, so read on the pool.</summary>
    private static async Task<string> ReadAllAsync(TextReader input, CancellationToken cancellationToken) =>
        await Task.Run(() => input.ReadToEndAsync(cancellationToken), cancellationToken).WaitAsync(cancellationToken);

    /// <summary><c>echo world | dht put hello</c> stores "world", not "world\n".</summary>
    private static string TrimFinalNewLine(string text) =>
        text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text.EndsWith('\n') ? text[..^1] : text;
}
