// The node's command shell: reads one command per line from a terminal or a pipe, runs it against the
// node, and goes on after any error. At the end of input it returns, so piped scripts end the process.
using System.Globalization;
using Dht.Crypto;
using Dht.Protocol;

namespace Dht.Cli;

/// <summary>A line-oriented command interpreter over a <see cref="DhtNode"/>.</summary>
internal sealed class Shell
{
    private readonly DhtNode _node;
    private readonly Ed25519KeyPair _signingKey;
    private readonly TextReader _input;
    private readonly TextWriter _output;
    private readonly bool _interactive;
    private readonly Dictionary<string, ShellCommand> _commands = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="node">The node the commands run against.</param>
    /// <param name="input">Where commands are read.</param>
    /// <param name="output">Where answers are written.</param>
    /// <param name="interactive">Show a prompt (a terminal, not a pipe).</param>
    /// <param name="signingKey">The key pair for <c>put --signed</c>; the node's own when null.</param>
    public Shell(DhtNode node, TextReader input, TextWriter output, bool interactive, Ed25519KeyPair? signingKey = null)
    {
        _signingKey = signingKey ?? node.SigningKey;
        _node = node;
        _input = input;
        _output = output;
        _interactive = interactive;
        Add(new ShellCommand("help", "", "list commands", (_, _) => Help()));
        Add(new ShellCommand("status", "", "node id, address, contacts per bucket, traffic, stored items", (_, _) => Status()));
        Add(new ShellCommand("ping", "HOST:PORT", "ping a node", PingAsync));
        Add(new ShellCommand("lookup", "ID|KEY", "find the k closest nodes to a 40-hex-digit id or a key name", LookupAsync));
        Add(new ShellCommand("announce", "INFOHASH [PORT]", "announce this node as a peer (BEP 5)", AnnounceAsync));
        Add(new ShellCommand("peers", "INFOHASH", "find peers of an info-hash (BEP 5 get_peers)", PeersAsync));
        Add(new ShellCommand("put", "[--signed|--immutable] KEY VALUE", "store VALUE (the rest of the line) under KEY; --signed NAME VALUE: a BEP 44 item signed by this node; --immutable VALUE: a BEP 44 item named by its hash", PutAsync));
        Add(new ShellCommand("get", "KEY|HASH|PUBKEY/NAME", "the newest value of a key, an immutable item (40 hex digits) or a signed value", GetAsync));
        Add(new ShellCommand("delete", "KEY", "delete KEY (a tombstone with a newer version)", DeleteAsync));
        Add(new ShellCommand("keys", "", "the values this node holds for the network: key id, size, version, expiry", (_, _) => Keys()));
        Add(new ShellCommand("quit", "", "stop the node and exit", (_, _) => Task.FromResult(false)));
        _commands["exit"] = _commands["quit"];
        _commands["--help"] = _commands["help"];
        _commands["-h"] = _commands["help"];
    }

    /// <summary>Registers a command (later ones replace earlier ones of the same name).</summary>
    public void Add(ShellCommand command) => _commands[command.Name] = command;

    /// <summary>Runs commands until quit or the end of input.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            if (_interactive)
            {
                await _output.WriteAsync("> ");
                await _output.FlushAsync(cancellationToken);
            }

            string? line;
            try
            {
                // Console.In reads synchronously and ignores the token; read on the pool and stop waiting on a signal.
                line = await Task.Run(() => _input.ReadLineAsync(cancellationToken).AsTask(), cancellationToken).WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (line is null)
            {
                return;
            }

            if (!await ExecuteAsync(line, cancellationToken))
            {
                return;
            }
        }
    }

    /// <summary>Runs one line; returns false when the shell should stop.</summary>
    public async Task<bool> ExecuteAsync(string line, CancellationToken cancellationToken)
    {
        line = line.Trim();
        if (line.Length == 0 || line.StartsWith('#'))
        {
            return true;
        }

        int space = line.IndexOf(' ', StringComparison.Ordinal);
        string name = space < 0 ? line : line[..space];
        string rest = space < 0 ? "" : line[(space + 1)..].TrimStart();
        if (!_commands.TryGetValue(name, out var command))
        {
            await _output.WriteLineAsync($"Unknown command: {name}. Type 'help' for the list of commands.");
            return true;
        }

        try
        {
            return await command.Run(rest, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException or TimeoutException)
        {
            await _output.WriteLineAsync($"Error: {ex.Message}");
            return true;
        }
    }

    private async Task<bool> Help()
    {
        await _output.WriteLineAsync("Commands:");
        foreach (var c in _commands.Values.Distinct().OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            string left = c.Usage.Length == 0 ? c.Name : $"{c.Name} {c.Usage}";
            await _output.WriteLineAsync($"  {left,-36} {c.Summary}");
        }

        return true;
    }

    private async Task<bool> Status()
    {
        var s = _node.GetStatus();
        var c = _node.Counters;
        var w = _output;
        await w.WriteLineAsync($"Node ID:    {s.Id}");
        await w.WriteLineAsync($"Address:    {s.EndPoint}");
        await w.WriteLineAsync($"Uptime:     {FormatDuration(s.Uptime)}");
        await w.WriteLineAsync($"Contacts:   {s.Contacts} in {s.Buckets.Count} bucket(s)");
        foreach (var b in s.Buckets.Where(b => b.Count > 0 || b.Replacements > 0))
        {
            await w.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  bucket {b.Index,3} (prefix {b.PrefixLength,3}{(b.IsLast ? "+" : " ")}): {b.Count} contact(s), {b.Good} good, {b.Questionable} questionable, {b.Replacements} replacement(s)"));
        }

        await w.WriteLineAsync($"Queries:    {s.QueriesReceived} in, {s.QueriesSent} out, {s.Timeouts} timed out, {s.InvalidMessages} invalid, {c.ErrorsSent} errors sent");
        var methods = Enum.GetValues<Protocol.Krpc.KrpcMethod>().Where(m => m != Protocol.Krpc.KrpcMethod.Unknown)
            .Where(m => c.QueriesReceived(m) + c.QueriesSent(m) > 0)
            .Select(m => $"{Protocol.Krpc.KrpcMethods.DisplayName(m)} {c.QueriesReceived(m)}/{c.QueriesSent(m)}");
        string perMethod = string.Join(", ", methods);
        if (perMethod.Length > 0)
        {
            await w.WriteLineAsync($"  in/out:   {perMethod}");
        }

        await w.WriteLineAsync($"Stored:     {s.StoredValues} value(s), {s.StoredBytes} bytes; {s.StoredItems} BEP 44 item(s), {s.StoredItemBytes} bytes; {s.Peers} peer(s) for {s.InfoHashes} info-hash(es)");
        return true;
    }

    private async Task<bool> PingAsync(string args, CancellationToken ct)
    {
        if (!EndPointResolver.TryResolve(args.Trim(), out var ep, out var error))
        {
            await _output.WriteLineAsync($"Usage: ping HOST:PORT ({error})");
            return true;
        }

        await NodeCommands.PingAsync(_node, ep.Value, _output, ct);
        return true;
    }

    private async Task<bool> LookupAsync(string args, CancellationToken ct)
    {
        string key = args.Trim();
        if (key.Length == 0)
        {
            await _output.WriteLineAsync("Usage: lookup ID|KEY");
            return true;
        }

        await NodeCommands.LookupAsync(_node, key, showPath: false, _output, ct);
        return true;
    }

    private async Task<bool> AnnounceAsync(string args, CancellationToken ct)
    {
        var parts = args.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is < 1 or > 2 || !NodeId.TryParse(parts[0], out var infoHash))
        {
            await _output.WriteLineAsync("Usage: announce INFOHASH [PORT] (INFOHASH is 40 hex digits)");
            return true;
        }

        int? port = null;
        if (parts.Length == 2)
        {
            if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int p) || p is < 1 or > 65535)
            {
                await _output.WriteLineAsync("Usage: announce INFOHASH [PORT] (PORT is 1 to 65535)");
                return true;
            }

            port = p;
        }

        var r = await _node.AnnounceAsync(infoHash, port, ct);
        await _output.WriteLineAsync($"Announced {infoHash} to {r.NodesAccepted} of {r.NodesAsked} node(s)");
        return true;
    }

    private async Task<bool> PeersAsync(string args, CancellationToken ct)
    {
        if (!NodeId.TryParse(args.Trim(), out var infoHash))
        {
            await _output.WriteLineAsync("Usage: peers INFOHASH (40 hex digits)");
            return true;
        }

        int count = 0;
        await foreach (var peer in _node.GetPeersAsync(infoHash, ct))
        {
            await _output.WriteLineAsync($"  {peer}");
            count++;
        }

        await _output.WriteLineAsync($"{count} peer(s) for {infoHash}");
        return true;
    }

    private async Task<bool> PutAsync(string args, CancellationToken ct)
    {
        if (args.StartsWith("--immutable ", StringComparison.Ordinal))
        {
            var value = System.Text.Encoding.UTF8.GetBytes(args["--immutable ".Length..].TrimStart());
            await NodeCommands.PutImmutableAsync(_node, value, _output, ct);
            return true;
        }

        bool signed = args.StartsWith("--signed ", StringComparison.Ordinal);
        if (signed)
        {
            args = args["--signed ".Length..].TrimStart();
        }
        else if (args.StartsWith("--", StringComparison.Ordinal))
        {
            await _output.WriteLineAsync($"Unknown option {args.Split(' ')[0]}. Usage: put [--signed|--immutable] KEY VALUE");
            return true;
        }

        int space = args.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || space == args.Length - 1)
        {
            await _output.WriteLineAsync("Usage: put [--signed] KEY VALUE (the rest of the line is the value), or put --immutable VALUE");
            return true;
        }

        string key = args[..space];
        var bytes = System.Text.Encoding.UTF8.GetBytes(args[(space + 1)..]);
        if (signed)
        {
            var r = await _node.PutMutableAsync(_signingKey, System.Text.Encoding.UTF8.GetBytes(key), bytes, cancellationToken: ct);
            string name = $"{Convert.ToHexStringLower(_signingKey.PublicKey.Span)}/{key}";
            await _output.WriteLineAsync(r.NodesStored > 0
                ? $"Stored key '{name}' at {NodeCommands.Nodes(r.NodesStored)} (seq {r.Seq})"
                : $"Not stored: no node accepted key '{name}' ({r.NodesAsked} asked)");
            return true;
        }

        await NodeCommands.PutAsync(_node, key, bytes, _output, ct);
        return true;
    }

    private async Task<bool> GetAsync(string args, CancellationToken ct)
    {
        if (await ReadKeyAsync(args, "get") is not { } key)
        {
            return true;
        }

        await NodeCommands.GetAsync(_node, key, _output, ct);
        return true;
    }

    private async Task<bool> DeleteAsync(string args, CancellationToken ct)
    {
        if (await ReadKeyAsync(args, "delete") is not { } key)
        {
            return true;
        }

        await NodeCommands.DeleteAsync(_node, key, _output, ct);
        return true;
    }

    /// <summary>The single KEY argument of a command, or null after printing its usage.</summary>
    private async Task<string?> ReadKeyAsync(string args, string command)
    {
        string key = args.Trim();
        if (key.Length == 0 || key.Contains(' ', StringComparison.Ordinal))
        {
            await _output.WriteLineAsync($"Usage: {command} KEY");
            return null;
        }

        return key;
    }

    private async Task<bool> Keys()
    {
        var held = _node.HeldValues();
        foreach (var v in held.OrderBy(v => v.Target))
        {
            string size = v.IsTombstone ? "deleted" : $"{v.Value.Length} bytes";
            await _output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {v.Target} {size,-11} seq {v.Seq} expires {v.ExpiresAt:u}"));
        }

        var items = _node.HeldItems();
        foreach (var i in items.OrderBy(i => i.Target))
        {
            string kind = i.IsMutable ? $"signed by {Convert.ToHexStringLower(i.PublicKey.Span)[..16]}..." : "immutable";
            await _output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {i.Target} {i.Value.Length} bytes {kind} seq {i.Seq} expires {i.ExpiresAt:u}"));
        }

        await _output.WriteLineAsync($"{held.Count} value(s) and {items.Count} BEP 44 item(s) held");
        return true;
    }

    private static string FormatDuration(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours}h {t.Minutes}m {t.Seconds}s" : t.TotalMinutes >= 1 ? $"{t.Minutes}m {t.Seconds}s" : $"{t.TotalSeconds:0}s";
}
