// The one-shot commands get, put, delete, ping and lookup: their arguments, the checks made before any socket
// is opened (so that a bad request exits 2 without touching the network), and their output: the shell's text,
// or with --json one JSON object (Reports/) whose fields the README lists.
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;
using Dht.Cli.Configuration;
using Dht.Cli.Reports;
using Dht.Crypto;
using Dht.Net;

namespace Dht.Cli;

/// <summary>Defines the one-shot commands.</summary>
internal static class ClientCommands
{
    /// <summary>
    /// Standard input read for a put's value, at most, in bytes: far above the largest value (996 bytes),
    /// so that an oversized value is still told apart from a file piped by mistake without reading it all.
    /// </summary>
    private const int StandardInputLimit = 64 * 1024;

    public static IEnumerable<Command> Create(CliContext context) => [Get(context), Put(context), Delete(context), Ping(context), Lookup(context)];

    private static Command Get(CliContext context)
    {
        var key = KeyArgument("KEY", "A key name, a BEP 44 immutable item's hash (40 hex digits) or a signed value (PUBKEY/NAME)");
        var command = Client("get", "Get the newest value of a key from the network (exit status 1: not found; 3: no node answered)", context, [key], (parse, loaded, json, _) =>
        {
            string k = parse.GetValue(key)!;
            if (OptionAsKey(parse, k, "get") is { } option)
            {
                return Refuse(option);
            }

            if (NodeCommands.KindOf(k) == ValueKind.Named && NamedValuesOff(loaded, "get KEY") is { } off)
            {
                return Refuse(off);
            }

            return Plan(async (node, ct) =>
            {
                var r = await NodeCommands.GetAsync(node, k, ct);
                await WriteAsync(context, json, r, ReportJsonContext.Default.GetReport, [r.ToText()]);
                return r.Found ? ExitCodes.Success : r.Reached ? ExitCodes.Failure : ExitCodes.Network;
            });
        });
        Refused(command, "--signed", "get has no --signed: a signed value is read with get PUBKEY/NAME, as a node's put --signed prints it");
        return command;
    }

    private static Command Put(CliContext context)
    {
        var key = KeyArgument("KEY", "The key name (none with --immutable)");
        key.Arity = ArgumentArity.ZeroOrOne;
        var value = new Argument<string[]>("VALUE")
        {
            Description = "The value (words joined by spaces; UTF-8, at most 996 bytes); none: read from standard input",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var immutable = new Option<bool>("--immutable")
        {
            Description = "Store a BEP 44 immutable item instead: every word is the value, and its hash is printed (get HASH reads it)",
        };
        var command = Client("put", "Store a value under a key on the k closest nodes (exit status 1: no node stored it)", context, [key, value],
            async (parse, loaded, json, ct) =>
            {
                bool isImmutable = parse.GetValue(immutable);
                string? name = parse.GetValue(key);
                if (!isImmutable && name is not null && OptionAsKey(parse, name, "put") is { } option)
                {
                    return ClientPlan.Refuse(option);
                }

                if (!isImmutable && NamedValuesOff(loaded, "put KEY") is { } off)
                {
                    return ClientPlan.Refuse(off);
                }

                string[] words = isImmutable && name is not null ? [name, .. parse.GetValue(value) ?? []] : parse.GetValue(value) ?? [];
                var (text, problem) = words.Length > 0 ? (string.Join(' ', words), null) : await ReadStandardInputAsync(context.Input, ct);
                if (problem is not null || text!.Length == 0)
                {
                    return ClientPlan.Refuse(problem ?? "no value: give VALUE or write it to standard input");
                }

                var bytes = Encoding.UTF8.GetBytes(text);
                int limit = isImmutable ? Bep44.MaxValueSize : loaded.Settings.Options.StorageLimits.MaxValueSize;
                if (ValueSize.Check(bytes.Length, limit) is { } tooBig)
                {
                    return ClientPlan.Refuse(tooBig);
                }

                return ClientPlan.Of(async (node, token) =>
                {
                    var r = isImmutable ? await NodeCommands.PutImmutableAsync(node, bytes, token) : await NodeCommands.PutAsync(node, name!, bytes, token);
                    await WriteAsync(context, json, r, ReportJsonContext.Default.PutReport, [r.ToText()]);
                    return r.Stored ? ExitCodes.Success : r.Reached ? ExitCodes.Failure : ExitCodes.Network;
                });
            });
        command.Options.Add(immutable);
        Refused(command, "--signed", "put --signed runs in a node's shell, whose key signs the value; a one-shot client has no key of its own");
        command.Validators.Add(r =>
        {
            if (!r.GetValue(immutable) && r.GetValue(key) is null)
            {
                r.AddError("KEY is required (or --immutable VALUE for a BEP 44 immutable item)");
            }
        });
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var key = KeyArgument("KEY", "The key name");
        return Client("delete", "Delete a key: a tombstone with a newer version (exit status 1: no node stored it)", context, [key], (parse, loaded, json, _) =>
        {
            string k = parse.GetValue(key)!;
            if ((OptionAsKey(parse, k, "delete") ?? NamedValuesOff(loaded, "delete KEY")) is { } problem)
            {
                return Refuse(problem);
            }

            return Plan(async (node, ct) =>
            {
                var r = await NodeCommands.DeleteAsync(node, k, ct);
                await WriteAsync(context, json, r, ReportJsonContext.Default.DeleteReport, [r.ToText()]);
                return r.Stored ? ExitCodes.Success : r.Reached ? ExitCodes.Failure : ExitCodes.Network;
            });
        });
    }

    private static Command Ping(CliContext context)
    {
        var target = KeyArgument("HOST:PORT", "The node to ping");
        target.Validators.Add(r =>
        {
            if (!HostEndPoint.TryParse(r.GetValueOrDefault<string>(), out _))
            {
                r.AddError($"HOST:PORT {HostEndPoint.Expected}, was '{r.GetValueOrDefault<string>()}'");
            }
        });
        return Client("ping", "Send a KRPC ping to a node (exit status 3: no answer)", context, [target], async (parse, _, json, ct) =>
        {
            var resolved = await EndPointResolver.Default.ResolveAsync(parse.GetValue(target)!, cancellationToken: ct);
            if (resolved.EndPoint is not { } endPoint)
            {
                return ClientPlan.Refuse($"HOST:PORT: {resolved.Problem}");
            }

            return ClientPlan.Of(async (node, ct) =>
            {
                var r = await NodeCommands.PingAsync(node, endPoint, ct);
                await WriteAsync(context, json, r, ReportJsonContext.Default.PingReport, [r.ToText()]);
                return r.Answered ? ExitCodes.Success : ExitCodes.Network;
            }, endPoint);
        });
    }

    private static Command Lookup(CliContext context)
    {
        var target = KeyArgument("ID|KEY", "A node id (40 hex digits) or a key name (its SHA-1 is looked up)");
        return Client("lookup", "Find the k nodes closest to an id or key, printing every node asked on the way", context, [target], (parse, _, json, _) =>
        {
            string k = parse.GetValue(target)!;
            return OptionAsKey(parse, k, "lookup") is { } option ? Refuse(option) : Plan(async (node, ct) =>
            {
                var r = await NodeCommands.LookupAsync(node, k, ct);
                await WriteAsync(context, json, r, ReportJsonContext.Default.LookupReport, r.ToText(showPath: true));
                return ExitCodes.Success;
            });
        });
    }

    /// <summary>A one-shot command: a read-only client that joins, runs the checked plan and exits.</summary>
    private static Command Client(
        string name, string description, CliContext context, Argument[] arguments,
        Func<ParseResult, LoadedConfiguration, bool, CancellationToken, Task<ClientPlan>> plan)
    {
        var settings = new SettingOptions(forClients: true);
        var json = new Option<bool>("--json") { Description = "Print one JSON object (its fields are in the README) instead of text; same exit status" };
        var command = new Command(name, description);
        foreach (var argument in arguments)
        {
            command.Arguments.Add(argument);
        }

        command.Options.Add(json);
        settings.AddTo(command);
        command.SetAction(async (parse, ct) =>
            settings.TryLoad(parse, context, out var loaded)
                ? await ClientRunner.RunAsync(loaded, await plan(parse, loaded, parse.GetValue(json), ct), context, ct)
                : ExitCodes.Usage);
        return command;
    }

    private static Task<ClientPlan> Plan(Func<DhtNode, CancellationToken, Task<int>> run) => Task.FromResult(ClientPlan.Of(run));

    private static Task<ClientPlan> Refuse(string error) => Task.FromResult(ClientPlan.Refuse(error));

    private static async Task WriteAsync<T>(CliContext context, bool json, T report, JsonTypeInfo<T> type, IEnumerable<string> text)
    {
        if (json)
        {
            await context.Output.WriteLineAsync(JsonSerializer.Serialize(report, type));
            return;
        }

        foreach (string line in text)
        {
            await context.Output.WriteLineAsync(line);
        }
    }

    /// <summary>
    /// An unknown option lands in KEY (System.CommandLine takes an unmatched token as an argument): say so,
    /// unless it came after <c>--</c>, which is how a key that starts with '-' is given.
    /// </summary>
    private static string? OptionAsKey(ParseResult parse, string key, string command)
    {
        if (key.Length < 2 || key[0] != '-' || parse.Tokens.Any(t => t.Type == TokenType.DoubleDash))
        {
            return null;
        }

        return $"unknown option {Shell.Echo(key)} for {command} (a key that starts with '-' goes after --: dht {command} -- {Shell.Echo(key)})";
    }

    /// <summary>
    /// An option users reach for that the command does not have, hidden from help: given, it is refused with
    /// <paramref name="reason"/> instead of System.CommandLine's "unrecognized argument" for the word after it.
    /// </summary>
    private static void Refused(Command command, string name, string reason)
    {
        var option = new Option<bool>(name) { Hidden = true };
        command.Options.Add(option);
        command.Validators.Add(r =>
        {
            if (r.GetValue(option))
            {
                r.AddError(reason);
            }
        });
    }

    private static string? NamedValuesOff(LoadedConfiguration loaded, string what) =>
        loaded.Settings.Options.EnableNamedValues
            ? null
            : $"{what} needs named values, which are turned off (setting 'EnableNamedValues', {loaded.SourceOf("EnableNamedValues")}); " +
              "put --immutable, get HASH and get PUBKEY/NAME work without them";

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

    /// <summary>
    /// A put's value from standard input, without one final line end (<c>echo world | dht put hello</c> stores
    /// "world"), read no further than <see cref="StandardInputLimit"/>; or why it cannot be stored.
    /// </summary>
    private static async Task<(string? Text, string? Problem)> ReadStandardInputAsync(Stream input, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[StandardInputLimit + 2]; // and a CRLF
        int filled = 0;
        while (filled < buffer.Length)
        {
            int offset = filled;
            // Console input blocks and ignores the token: read on the pool and stop waiting on a signal.
            int read = await Task.Run(() => input.Read(buffer, offset, buffer.Length - offset), cancellationToken).WaitAsync(cancellationToken);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        var bytes = buffer.AsSpan(0, filled);
        bytes = bytes.EndsWith("\r\n"u8) ? bytes[..^2] : bytes.EndsWith((byte)'\n') ? bytes[..^1] : bytes;
        if (bytes.Length > StandardInputLimit)
        {
            return (null, $"standard input holds more than {StandardInputLimit} bytes; the largest value is {ValueSize.Largest(Bep44.MaxValueSize)} bytes");
        }

        return Utf8.IsValid(bytes) ? (Encoding.UTF8.GetString(bytes), null) : (null, "standard input is not valid UTF-8; nothing was stored");
    }
}
