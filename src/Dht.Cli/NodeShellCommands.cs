// The shell's commands over a node. Each parses its arguments into a ShellInvocation that says what it waits
// for (CommandScope) and what it runs; refusals (usage, bad input) go to standard error, answers to standard output.
using System.Globalization;
using System.Text;
using Dht.Cli.Input;
using Dht.Cli.Reports;
using Dht.Crypto;
using Dht.Net;
using Dht.Protocol;
using Dht.Protocol.Krpc;

namespace Dht.Cli;

/// <summary>The built-in commands of <see cref="Shell"/> other than help and quit.</summary>
internal sealed class NodeShellCommands(DhtNode node, Ed25519KeyPair signingKey, ShellOptions options)
{
    private const string PutUsage = "Usage: put KEY VALUE, put --signed NAME VALUE or put --immutable VALUE";
    private const string GetUsage = "Usage: get KEY|HASH|PUBKEY/NAME";
    private const string NamedValuesOff =
        "Error: named values are turned off on this node (--named-values false); put --signed, put --immutable and get HASH or PUBKEY/NAME still work";

    public IEnumerable<ShellCommand> All =>
    [
        new("status", "", "node id, address, contacts per bucket, traffic, stored items", _ => ShellInvocation.Exclusive(Status)),
        new("ping", "HOST:PORT", "ping a node", Ping),
        new("lookup", "ID|KEY", "find the k closest nodes to a 40-hex-digit id or a key name", Lookup),
        new("announce", "INFOHASH [PORT]", "announce this node as a peer (BEP 5)", Announce),
        new("peers", "INFOHASH", "find peers of an info-hash (BEP 5 get_peers)", Peers),
        new("put", "[--signed|--immutable] KEY VALUE",
            "store VALUE (the rest of the line) under KEY; --signed NAME VALUE: a BEP 44 item signed by this node; --immutable VALUE: a BEP 44 item named by its hash",
            Put),
        new("get", "KEY|HASH|PUBKEY/NAME", "the newest value of a key, an immutable item (40 hex digits) or a signed value", Get),
        new("delete", "KEY", "delete KEY (a tombstone with a newer version)", Delete),
        new("keys", "", "the values this node holds for the network: key id, size, version, expiry", _ => ShellInvocation.Exclusive(Keys)),
    ];

    private ShellInvocation Ping(ArgumentReader args)
    {
        if (ReadOnlyArgument(args, "Usage: ping HOST:PORT", out string? text) is { } refused)
        {
            return refused;
        }

        return ShellInvocation.Independent(async (output, ct) =>
        {
            var resolved = await EndPointResolver.Default.ResolveAsync(text!, cancellationToken: ct);
            if (resolved.EndPoint is not { } endPoint)
            {
                output.Error($"Usage: ping HOST:PORT ({resolved.Problem})");
                return true;
            }

            output.Line((await NodeCommands.PingAsync(node, endPoint, ct)).ToText());
            return true;
        });
    }

    private ShellInvocation Lookup(ArgumentReader args) =>
        ReadOnlyArgument(args, "Usage: lookup ID|KEY", out string? key) ?? ShellInvocation.Independent(async (output, ct) =>
        {
            foreach (string line in (await NodeCommands.LookupAsync(node, key!, ct)).ToText(showPath: false))
            {
                output.Line(line);
            }

            return true;
        });

    private ShellInvocation Announce(ArgumentReader args)
    {
        const string usage = "Usage: announce INFOHASH [PORT] (INFOHASH is 40 hex digits, PORT 1 to 65535)";
        if (!args.TryReadWord(out var hash, out _) || !args.TryReadWord(out var portWord, out _) || !args.AtEnd
            || hash is null || !NodeId.TryParse(hash.Text, out var infoHash))
        {
            return ShellInvocation.Refuse(usage);
        }

        int? port = null;
        if (portWord is not null)
        {
            if (!int.TryParse(portWord.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int p) || p is < 1 or > 65535)
            {
                return ShellInvocation.Refuse(usage);
            }

            port = p;
        }

        return ShellInvocation.OnKey("peers:" + infoHash, async (output, ct) =>
        {
            var r = await node.AnnounceAsync(infoHash, port, ct);
            output.Line($"Announced {infoHash} to {r.NodesAccepted} of {r.NodesAsked} node(s){Reports.PutReport.MoreToFollow(r.NodesPending)}");
            return true;
        });
    }

    private ShellInvocation Peers(ArgumentReader args)
    {
        if (ReadOnlyArgument(args, "Usage: peers INFOHASH (40 hex digits)", out string? text) is { } refused)
        {
            return refused;
        }

        if (!NodeId.TryParse(text, out var infoHash))
        {
            return ShellInvocation.Refuse("Usage: peers INFOHASH (40 hex digits)");
        }

        return ShellInvocation.OnKey("peers:" + infoHash, async (output, ct) =>
        {
            int count = 0;
            await foreach (var peer in node.GetPeersAsync(infoHash, ct))
            {
                output.Line($"  {peer}");
                count++;
            }

            output.Line($"{count} peer(s) for {infoHash}");
            return true;
        });
    }

    private ShellInvocation Put(ArgumentReader args)
    {
        if (!args.TryReadWord(out var first, out string? error))
        {
            return ShellInvocation.Refuse($"{PutUsage} ({error})");
        }

        if (first is null)
        {
            return ShellInvocation.Refuse(PutUsage);
        }

        if (first.IsOption && first.Text == "--immutable")
        {
            return ReadValue(args, "put --immutable VALUE", out byte[]? immutable) ?? PutItem(immutable!);
        }

        bool signed = first.IsOption && first.Text == "--signed";
        if (first.IsOption && !signed)
        {
            return ShellInvocation.Refuse($"Error: unknown option {Shell.Echo(first.Text)} (quote a key that starts with --). {PutUsage}");
        }

        var key = first;
        if (signed && !args.TryReadWord(out key, out error))
        {
            return ShellInvocation.Refuse($"{PutUsage} ({error})");
        }

        string usage = signed ? "put --signed NAME VALUE" : "put KEY VALUE";
        if (key is null || key.Text.Length == 0)
        {
            return ShellInvocation.Refuse($"Usage: {usage} ({(key is null ? "the name is missing" : "the key must not be empty")})");
        }

        if (ReadValue(args, usage, out byte[]? value) is { } refused)
        {
            return refused;
        }

        return signed ? PutSigned(key.Text, value!) : PutNamed(key.Text, value!);
    }

    private ShellInvocation PutNamed(string key, byte[] value) =>
        options.NamedValues
            ? Store(value, options.MaxValueSize, NodeCommands.Named(key), ct => NodeCommands.PutAsync(node, key, value, ct))
            : ShellInvocation.Refuse(NamedValuesOff);

    private ShellInvocation PutSigned(string name, byte[] value) =>
        Store(value, Bep44.MaxValueSize, NodeCommands.SignedResource(signingKey.PublicKey.Span, name),
            ct => NodeCommands.PutSignedAsync(node, signingKey, name, value, ct));

    private ShellInvocation PutItem(byte[] value) =>
        Store(value, Bep44.MaxValueSize, NodeCommands.ImmutableResource(value), ct => NodeCommands.PutImmutableAsync(node, value, ct));

    /// <summary>A put on <paramref name="resource"/>, or its refusal when the value is over <paramref name="limit"/> encoded.</summary>
    private static ShellInvocation Store(byte[] value, int limit, string resource, Func<CancellationToken, Task<PutReport>> put) =>
        ValueSize.Check(value.Length, limit) is { } tooBig
            ? ShellInvocation.Refuse($"Error: {tooBig}")
            : ShellInvocation.OnKey(resource, async (output, ct) =>
            {
                output.Line((await put(ct)).ToText());
                return true;
            });

    private ShellInvocation Get(ArgumentReader args)
    {
        if (ReadKey(args, GetUsage, "get", out string? key) is { } refused)
        {
            return refused;
        }

        if (!options.NamedValues && NodeCommands.KindOf(key!) == ValueKind.Named)
        {
            return ShellInvocation.Refuse(NamedValuesOff);
        }

        return ShellInvocation.OnKey(NodeCommands.ResourceOf(key!), async (output, ct) =>
        {
            output.Line((await NodeCommands.GetAsync(node, key!, ct)).ToText());
            return true;
        });
    }

    private ShellInvocation Delete(ArgumentReader args)
    {
        if (ReadKey(args, "Usage: delete KEY", "delete", out string? key) is { } refused)
        {
            return refused;
        }

        if (!options.NamedValues)
        {
            return ShellInvocation.Refuse(NamedValuesOff);
        }

        return ShellInvocation.OnKey(NodeCommands.Named(key!), async (output, ct) =>
        {
            output.Line((await NodeCommands.DeleteAsync(node, key!, ct)).ToText());
            return true;
        });
    }

    private Task<bool> Status(CommandOutput output, CancellationToken cancellationToken)
    {
        var s = node.GetStatus();
        var c = node.Counters;
        output.Line($"Node ID:    {s.Id}");
        output.Line(s.PublicEndPoint is { } seen && seen != s.EndPoint ? $"Address:    {s.EndPoint} (others see {seen})" : $"Address:    {s.EndPoint}");
        output.Line($"Uptime:     {FormatDuration(s.Uptime)}");
        output.Line($"Contacts:   {s.Contacts} in {s.Buckets.Count} bucket(s)");
        foreach (var b in s.Buckets.Where(b => b.Count > 0 || b.Replacements > 0))
        {
            output.Line(string.Create(CultureInfo.InvariantCulture,
                $"  bucket {b.Index,3} (prefix {b.PrefixLength,3}{(b.IsLast ? "+" : " ")}): {b.Count} contact(s), {b.Good} good, {b.Questionable} questionable, {b.Replacements} replacement(s)"));
        }

        output.Line($"Queries:    {s.QueriesReceived} in, {s.QueriesSent} out, {s.Timeouts} timed out, {s.InvalidMessages} invalid, {c.ErrorsSent} errors sent");
        string perMethod = string.Join(", ", KrpcMethods.All
            .Where(m => c.QueriesReceived(m) + c.QueriesSent(m) > 0)
            .Select(m => $"{KrpcMethods.DisplayName(m)} {c.QueriesReceived(m)}/{c.QueriesSent(m)}"));
        if (perMethod.Length > 0)
        {
            output.Line($"  in/out:   {perMethod}");
        }

        output.Line($"Stored:     {s.StoredValues} value(s), {s.StoredBytes} bytes; {s.StoredItems} BEP 44 item(s), {s.StoredItemBytes} bytes; {s.Peers} peer(s) for {s.InfoHashes} info-hash(es)");
        return Task.FromResult(true);
    }

    private Task<bool> Keys(CommandOutput output, CancellationToken cancellationToken)
    {
        var held = node.HeldValues();
        foreach (var v in held.OrderBy(v => v.Target))
        {
            string size = v.IsTombstone ? "deleted" : $"{v.Value.Length} bytes";
            output.Line(string.Create(CultureInfo.InvariantCulture, $"  {v.Target} {size,-11} seq {v.Seq} expires {v.ExpiresAt:u}"));
        }

        var items = node.HeldItems();
        foreach (var i in items.OrderBy(i => i.Target))
        {
            string kind = i.IsMutable ? $"signed by {Convert.ToHexStringLower(i.PublicKey.Span)[..16]}..." : "immutable";
            output.Line(string.Create(CultureInfo.InvariantCulture, $"  {i.Target} {i.Value.Length} bytes {kind} seq {i.Seq} expires {i.ExpiresAt:u}"));
        }

        output.Line($"{held.Count} value(s) and {items.Count} BEP 44 item(s) held");
        return Task.FromResult(true);
    }

    /// <summary>The one argument of a command, or the refusal that prints its usage.</summary>
    private static ShellInvocation? ReadOnlyArgument(ArgumentReader args, string usage, out string? text)
    {
        text = null;
        if (!args.TryReadWord(out var word, out string? error))
        {
            return ShellInvocation.Refuse($"{usage} ({error})");
        }

        return Single(args, word, usage, out text);
    }

    /// <summary>The KEY of get or delete, or the refusal; an option (which neither has) is named in it.</summary>
    private static ShellInvocation? ReadKey(ArgumentReader args, string usage, string command, out string? key)
    {
        key = null;
        if (!args.TryReadWord(out var word, out string? error))
        {
            return ShellInvocation.Refuse($"{usage} ({error})");
        }

        if (word is { IsOption: true })
        {
            return ShellInvocation.Refuse(command == "get" && word.Text == "--signed"
                ? "Error: get has no --signed: a signed value is read with get PUBKEY/NAME, as put --signed prints it"
                : $"Error: unknown option {Shell.Echo(word.Text)} (quote a key that starts with --). {usage}");
        }

        return Single(args, word, usage, out key);
    }

    private static ShellInvocation? Single(ArgumentReader args, Word? word, string usage, out string? text)
    {
        text = word?.Text;
        return word is null || word.Text.Length == 0 || !args.AtEnd ? ShellInvocation.Refuse(usage) : null;
    }

    /// <summary>The value after the key (see <see cref="ArgumentReader.TryReadValue"/>) as UTF-8, or the refusal.</summary>
    private static ShellInvocation? ReadValue(ArgumentReader args, string usage, out byte[]? value)
    {
        value = null;
        if (!args.TryReadValue(out string? text, out string? error))
        {
            return ShellInvocation.Refuse($"Usage: {usage} ({error})");
        }

        if (string.IsNullOrEmpty(text))
        {
            return ShellInvocation.Refuse($"Usage: {usage} (the value is {(text is null ? "missing" : "empty")})");
        }

        value = Encoding.UTF8.GetBytes(text);
        return null;
    }

    private static string FormatDuration(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours}h {t.Minutes}m {t.Seconds}s" : t.TotalMinutes >= 1 ? $"{t.Minutes}m {t.Seconds}s" : $"{t.TotalSeconds:0}s";
}
