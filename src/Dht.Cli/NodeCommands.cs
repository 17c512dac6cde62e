// The operations the shell and the one-shot commands share: each runs against a node, writes its answer in
// one format for both, and says whether it succeeded so that a one-shot command can turn it into an exit code.
using System.Globalization;
using System.Text;
using Dht.Protocol;

namespace Dht.Cli;

/// <summary>Get, put, delete, ping and lookup as the shell and the one-shot commands print them.</summary>
internal static class NodeCommands
{
    /// <summary>
    /// The value of KEY: a BEP 44 immutable item for 40 hex digits, a signed value for PUBKEY/NAME (64 hex
    /// digits, a slash, the name), else a named value. Returns false if it was not found.
    /// </summary>
    public static async Task<bool> GetAsync(DhtNode node, string key, TextWriter output, CancellationToken cancellationToken)
    {
        if (NodeId.TryParse(key, out var hash))
        {
            var item = await node.GetImmutableAsync(hash, cancellationToken);
            await output.WriteLineAsync(item.Found ? $"Value: {Encoding.UTF8.GetString(item.Value.Span)}" : $"Not found: {key}");
            return item.Found;
        }

        int slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash == 64 && key.Length > 65 && IsHex(key.AsSpan(0, 64)))
        {
            var publicKey = Convert.FromHexString(key.AsSpan(0, 64));
            var salt = Encoding.UTF8.GetBytes(key[65..]);
            var item = await node.GetMutableAsync(publicKey, salt, cancellationToken);
            await output.WriteLineAsync(item.Found
                ? $"Value: {Encoding.UTF8.GetString(item.Value.Span)} (seq {item.Seq})"
                : $"Not found: {key}");
            return item.Found;
        }

        var r = await node.GetAsync(key, cancellationToken);
        await output.WriteLineAsync(r.Found ? $"Value: {Encoding.UTF8.GetString(r.Value.Span)}" : $"Not found: {key}");
        return r.Found;
    }

    /// <summary>Stores a named value on the k closest nodes; returns false if none accepted it.</summary>
    public static async Task<bool> PutAsync(DhtNode node, string key, ReadOnlyMemory<byte> value, TextWriter output, CancellationToken cancellationToken)
    {
        var put = await node.PutAsync(key, value, cancellationToken);
        return await ReportStoredAsync(output, put.NodesStored, $"Stored key '{key}'", $"Not stored: no node accepted key '{key}' ({put.NodesAsked} asked)");
    }

    /// <summary>Stores a BEP 44 immutable item and prints its hash; returns false if no node accepted it.</summary>
    public static async Task<bool> PutImmutableAsync(DhtNode node, ReadOnlyMemory<byte> value, TextWriter output, CancellationToken cancellationToken)
    {
        var r = await node.PutImmutableAsync(value, cancellationToken);
        return await ReportStoredAsync(output, r.NodesStored, $"Stored immutable item {r.Target}", $"Not stored: no node accepted immutable item {r.Target} ({r.NodesAsked} asked)");
    }

    /// <summary>Writes a tombstone for KEY; returns false if no node accepted it.</summary>
    public static async Task<bool> DeleteAsync(DhtNode node, string key, TextWriter output, CancellationToken cancellationToken)
    {
        var r = await node.DeleteAsync(key, cancellationToken);
        return await ReportStoredAsync(output, r.NodesStored, $"Deleted key '{key}'", $"Not deleted: no node accepted key '{key}' ({r.NodesAsked} asked)");
    }

    /// <summary>A KRPC ping; returns false if no answer came.</summary>
    public static async Task<bool> PingAsync(DhtNode node, NetEndPoint endPoint, TextWriter output, CancellationToken cancellationToken)
    {
        var r = await node.PingAsync(endPoint, cancellationToken);
        await output.WriteLineAsync(r.Answered
            ? $"Pong from {endPoint} ({r.NodeId}) in {r.RoundTrip.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)} ms"
            : $"No answer from {endPoint}");
        return r.Answered;
    }

    /// <summary>An iterative find_node for 40 hex digits or SHA-1 of a key name: the k closest, and optionally the path taken.</summary>
    public static async Task<LookupResult> LookupAsync(DhtNode node, string idOrKey, bool showPath, TextWriter output, CancellationToken cancellationToken)
    {
        var target = NodeId.TryParse(idOrKey, out var id) ? id : NodeId.FromKey(idOrKey);
        var r = await node.FindNodeAsync(target, cancellationToken);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Target {target}: {r.ClosestNodes.Count} closest node(s) in {r.Rounds} round(s), {r.QueriesSent} queries, {r.Elapsed.TotalMilliseconds:0} ms"));
        if (showPath)
        {
            await output.WriteLineAsync("Path (each node asked, as its answer or timeout came):");
            foreach (var step in r.Path)
            {
                string outcome = step.Answered ? "answered" : "timed out";
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"  round {step.Round,2}  {step.Node.Id} {step.Node.EndPoint,-22} shared prefix {step.SharedPrefixBits,3} bits  {outcome,-9} {step.Elapsed.TotalMilliseconds,6:0} ms"));
            }

            await output.WriteLineAsync("Closest:");
        }

        foreach (var n in r.ClosestNodes)
        {
            int cpl = n.Id.CommonPrefixLength(target);
            await output.WriteLineAsync($"  {n.Id} {n.EndPoint,-22} shared prefix {cpl} bits");
        }

        return r;
    }

    /// <summary>Prints "DONE at N nodes", or NOTDONE when no node stored it; returns whether one did.</summary>
    private static async Task<bool> ReportStoredAsync(TextWriter output, int stored, string done, string notDone)
    {
        await output.WriteLineAsync(stored > 0 ? $"{done} at {Nodes(stored)}" : notDone);
        return stored > 0;
    }

    public static string Nodes(int count) => count == 1 ? "1 node" : $"{count} nodes";

    private static bool IsHex(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
