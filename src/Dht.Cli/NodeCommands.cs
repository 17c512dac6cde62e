// The operations the shell and the one-shot commands share: each runs against a node and returns a report,
// which prints as the same text in both and as the one-shot commands' --json object.
using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Dht.Cli.Reports;
using Dht.Crypto;
using Dht.Protocol;
using Dht.Telemetry;

namespace Dht.Cli;

/// <summary>Get, put, delete, ping and lookup as the shell and the one-shot commands run them.</summary>
internal static class NodeCommands
{
    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>
    /// The value of KEY: a BEP 44 immutable item for 40 hex digits, a signed value for PUBKEY/NAME (64 hex
    /// digits, a slash, the name), else a named value.
    /// </summary>
    public static async Task<GetReport> GetAsync(DhtNode node, string key, CancellationToken cancellationToken)
    {
        if (NodeId.TryParse(key, out var hash))
        {
            var item = await node.GetImmutableAsync(hash, cancellationToken);
            return Report(key, ValueKind.Immutable, item.Status, item.Value, seq: null, item.NodesWithItem, item.NodesAnswered);
        }

        if (TryParseSigned(key, out var publicKey, out var salt))
        {
            var item = await node.GetMutableAsync(publicKey, salt, cancellationToken);
            return Report(key, ValueKind.Signed, item.Status, item.Value, item.Found ? item.Seq : null, item.NodesWithItem, item.NodesAnswered);
        }

        var r = await node.GetAsync(key, cancellationToken);
        return Report(key, ValueKind.Named, r.Status, r.Value, r.Seq > 0 ? r.Seq : null, r.NodesWithValue, r.NodesAnswered);
    }

    /// <summary>Stores a named value on the k closest nodes.</summary>
    public static async Task<PutReport> PutAsync(DhtNode node, string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        var r = await node.PutAsync(key, value, cancellationToken);
        return new PutReport(key, ValueKind.Named, r.Target.ToString(), Outcomes.Of(r.Status), r.NodesStored > 0 || r.StoredLocally, r.NodesStored, r.NodesAsked, r.Seq)
        {
            StoredLocally = r.StoredLocally,
            NodesPending = r.NodesPending,
        };
    }

    /// <summary>Stores a BEP 44 immutable item; the report's key is its hash.</summary>
    public static async Task<PutReport> PutImmutableAsync(DhtNode node, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        var r = await node.PutImmutableAsync(value, cancellationToken);
        return new PutReport(r.Target.ToString(), ValueKind.Immutable, r.Target.ToString(), Outcomes.Of(r.Status), r.NodesStored > 0 || r.StoredLocally, r.NodesStored, r.NodesAsked, null)
        {
            StoredLocally = r.StoredLocally,
            NodesPending = r.NodesPending,
        };
    }

    /// <summary>Stores a BEP 44 mutable item signed by <paramref name="signingKey"/> with NAME as its salt; the report's key is PUBKEY/NAME.</summary>
    public static async Task<PutReport> PutSignedAsync(
        DhtNode node, Ed25519KeyPair signingKey, string name, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        var r = await node.PutMutableAsync(signingKey, Encoding.UTF8.GetBytes(name), value, cancellationToken: cancellationToken);
        string key = $"{Convert.ToHexStringLower(signingKey.PublicKey.Span)}/{name}";
        return new PutReport(key, ValueKind.Signed, r.Target.ToString(), Outcomes.Of(r.Status), r.NodesStored > 0 || r.StoredLocally, r.NodesStored, r.NodesAsked, r.Seq)
        {
            StoredLocally = r.StoredLocally,
            NodesPending = r.NodesPending,
        };
    }

    /// <summary>Writes a tombstone for KEY.</summary>
    public static async Task<DeleteReport> DeleteAsync(DhtNode node, string key, CancellationToken cancellationToken)
    {
        var r = await node.DeleteAsync(key, cancellationToken);
        return new DeleteReport(key, r.Target.ToString(), Outcomes.Of(r.Status), r.NodesStored > 0 || r.StoredLocally, r.HadValue, r.NodesStored, r.NodesAsked, r.Seq)
        {
            StoredLocally = r.StoredLocally,
            NodesPending = r.NodesPending,
        };
    }

    /// <summary>A KRPC ping.</summary>
    public static async Task<PingReport> PingAsync(DhtNode node, NetEndPoint endPoint, CancellationToken cancellationToken)
    {
        var r = await node.PingAsync(endPoint, cancellationToken);
        return new PingReport(endPoint.ToString(), r.Answered, r.NodeId?.ToString(), r.Answered ? Math.Round(r.RoundTrip.TotalMilliseconds, 1) : null);
    }

    /// <summary>An iterative find_node for 40 hex digits or SHA-1 of a key name.</summary>
    public static async Task<LookupReport> LookupAsync(DhtNode node, string idOrKey, CancellationToken cancellationToken)
    {
        var target = NodeId.TryParse(idOrKey, out var id) ? id : NodeId.FromKey(idOrKey);
        var r = await node.FindNodeAsync(target, cancellationToken);
        // Rounds is hop depth (0: the first contacts were the closest); the round trips on that chain are one more.
        int roundTrips = r.Responses > 0 ? r.Rounds + 1 : 0;
        return new LookupReport(
            target.ToString(),
            [.. r.ClosestNodes.Select(n => new LookupNodeReport(n.Id.ToString(), n.EndPoint.ToString(), n.Id.CommonPrefixLength(target)))],
            roundTrips,
            r.QueriesSent,
            r.Responses,
            (long)Math.Round(r.Elapsed.TotalMilliseconds),
            [.. r.Path.Select(s => new LookupStepReport(
                s.Node.Id.ToString(), s.Node.EndPoint.ToString(), s.Round + 1, s.SharedPrefixBits, s.Answered, (long)Math.Round(s.Elapsed.TotalMilliseconds)))]);
    }

    /// <summary>Which kind of value a key given to <c>get</c> names.</summary>
    public static string KindOf(string key) =>
        NodeId.TryParse(key, out _) ? ValueKind.Immutable : TryParseSigned(key, out _, out _) ? ValueKind.Signed : ValueKind.Named;

    /// <summary>
    /// What a get of KEY reads, as the shell orders commands by it: <c>named:KEY</c> or <c>item:TARGET</c>
    /// (a BEP 44 item's target, the same for its put and its get).
    /// </summary>
    public static string ResourceOf(string key) =>
        NodeId.TryParse(key, out var hash) ? Item(hash)
        : TryParseSigned(key, out var publicKey, out var salt) ? Item(Bep44.MutableTarget(publicKey, salt))
        : Named(key);

    /// <summary>What a put of a named value changes.</summary>
    public static string Named(string key) => "named:" + key;

    /// <summary>What a put of an immutable item changes: its target is the SHA-1 of the bencoded value.</summary>
    public static string ImmutableResource(ReadOnlySpan<byte> value)
    {
        byte[] prefix = Encoding.ASCII.GetBytes(value.Length.ToString(CultureInfo.InvariantCulture) + ":");
        return Item(Bep44.ImmutableTarget([.. prefix, .. value]));
    }

    /// <summary>What a put of a signed value changes.</summary>
    public static string SignedResource(ReadOnlySpan<byte> publicKey, string name) => Item(Bep44.MutableTarget(publicKey, Encoding.UTF8.GetBytes(name)));

    private static string Item(NodeId target) => "item:" + target;

    private static bool TryParseSigned(string key, [NotNullWhen(true)] out byte[]? publicKey, [NotNullWhen(true)] out byte[]? salt)
    {
        publicKey = null;
        salt = null;
        int slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash != 64 || key.Length <= 65 || key.AsSpan(0, 64).ContainsAnyExcept(HexDigits))
        {
            return false;
        }

        publicKey = Convert.FromHexString(key.AsSpan(0, 64));
        salt = Encoding.UTF8.GetBytes(key[65..]);
        return true;
    }

    private static GetReport Report(string key, string kind, ReadStatus status, ReadOnlyMemory<byte> value, long? seq, int nodes, int answered) =>
        status == ReadStatus.Found
            ? new GetReport(key, kind, Outcomes.Of(status), true, Encoding.UTF8.GetString(value.Span), Convert.ToBase64String(value.Span), seq, false, nodes, answered)
            : new GetReport(key, kind, Outcomes.Of(status), false, null, null, seq, status == ReadStatus.Deleted, nodes, answered);
}

