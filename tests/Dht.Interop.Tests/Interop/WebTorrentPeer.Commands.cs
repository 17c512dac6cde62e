using System.Net;
using System.Text;
using System.Text.Json;

namespace Dht.Tests.Interop;

// The driver's commands as typed calls, and the records their replies are read into.
internal sealed partial class WebTorrentPeer
{
    /// <summary>Pings <paramref name="endPoint"/> and adds it to the routing table; returns its node id.</summary>
    public async Task<string> AddNodeAsync(IPEndPoint endPoint, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var reply = await CallAsync(new { cmd = "addNode", host = endPoint.Address.ToString(), port = endPoint.Port }, ct);
        return reply.GetProperty("nodeId").GetString()!;
    }

    /// <summary>Waits for the library's own bootstrap, then looks up its own id; returns the routing table size.</summary>
    public async Task<int> BootstrapAsync(CancellationToken ct)
    {
        var reply = await CallAsync(new { cmd = "bootstrap" }, ct);
        return reply.GetProperty("nodes").GetInt32();
    }

    public async Task<IReadOnlyList<DriverNode>> NodesAsync(CancellationToken ct) =>
        ReadNodes(await CallAsync(new { cmd = "nodes" }, ct));

    /// <summary>A KRPC ping; returns the responder's id and the <c>v</c> it sent, if any.</summary>
    public async Task<PingReply> PingAsync(IPEndPoint endPoint, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var reply = await CallAsync(new { cmd = "ping", host = endPoint.Address.ToString(), port = endPoint.Port }, ct);
        return new PingReply(
            reply.GetProperty("nodeId").GetString()!,
            reply.TryGetProperty("version", out var v) ? v.GetString() : null);
    }

    /// <summary>An iterative <c>find_node</c> lookup; returns the nodes that answered, closest first.</summary>
    public async Task<IReadOnlyList<DriverNode>> FindNodeAsync(string targetHex, CancellationToken ct) =>
        ReadNodes(await CallAsync(new { cmd = "findNode", target = targetHex }, ct));

    /// <summary>Looks up the swarm and announces <paramref name="port"/> (0: implied port) to every node that
    /// gave a token; returns how many accepted.</summary>
    public async Task<int> AnnounceAsync(string infoHashHex, int port, CancellationToken ct)
    {
        var reply = await CallAsync(new { cmd = "announce", infoHash = infoHashHex, port }, ct);
        return reply.GetProperty("nodes").GetInt32();
    }

    public async Task<PeersResult> GetPeersAsync(string infoHashHex, CancellationToken ct)
    {
        var reply = await CallAsync(new { cmd = "getPeers", infoHash = infoHashHex }, ct);
        return new PeersResult(
            ReadEndPoints(reply.GetProperty("peers")),
            ReadEndPoints(reply.GetProperty("remotePeers")),
            reply.GetProperty("visited").GetInt32());
    }

    public async Task<PutResult> PutImmutableAsync(string value, CancellationToken ct)
    {
        var reply = await CallAsync(new { cmd = "putImmutable", value }, ct);
        return new PutResult(reply.GetProperty("hash").GetString()!, reply.GetProperty("nodes").GetInt32());
    }

    /// <summary>A BEP 44 get that skips the library's local-cache shortcut; <see cref="StoredItem.FromCache"/>
    /// still says when the answer is this peer's own copy.</summary>
    public async Task<StoredItem> GetImmutableAsync(string hashHex, CancellationToken ct) =>
        ReadItem(await CallAsync(new { cmd = "getImmutable", hash = hashHex }, ct));

    /// <summary>Signs and puts a mutable item with ed25519 seed <paramref name="secretKey"/> (hex), or a new key
    /// pair when null; the result carries the key pair so a later put can update the item.</summary>
    public async Task<MutablePutResult> PutMutableAsync(string value, long seq, string? salt, string? secretKey, CancellationToken ct)
    {
        var reply = await CallAsync(new { cmd = "putMutable", value, seq, salt, secretKey }, ct);
        return new MutablePutResult(
            reply.GetProperty("publicKey").GetString()!,
            reply.TryGetProperty("secretKey", out var sk) ? sk.GetString() : null,
            reply.GetProperty("target").GetString()!,
            reply.GetProperty("seq").GetInt64(),
            reply.GetProperty("nodes").GetInt32());
    }

    public async Task<StoredItem> GetMutableAsync(string publicKeyHex, string? salt, CancellationToken ct) =>
        ReadItem(await CallAsync(new { cmd = "getMutable", publicKey = publicKeyHex, salt }, ct));

    /// <summary>Puts an immutable item whose value is any bytes (sent as hex, so not only UTF-8 text).</summary>
    public async Task<PutResult> PutImmutableAsync(ReadOnlyMemory<byte> value, CancellationToken ct)
    {
        var reply = await CallAsync(new { cmd = "putImmutable", valueHex = Convert.ToHexStringLower(value.Span) }, ct);
        return new PutResult(reply.GetProperty("hash").GetString()!, reply.GetProperty("nodes").GetInt32());
    }

    /// <summary>As <see cref="PutMutableAsync(string, long, string?, string?, CancellationToken)"/> with any bytes as
    /// value and salt (an empty salt is no salt).</summary>
    public async Task<MutablePutResult> PutMutableAsync(
        ReadOnlyMemory<byte> value, long seq, ReadOnlyMemory<byte> salt, string? secretKey, CancellationToken ct)
    {
        var reply = await CallAsync(
            new
            {
                cmd = "putMutable",
                valueHex = Convert.ToHexStringLower(value.Span),
                seq,
                saltHex = salt.IsEmpty ? null : Convert.ToHexStringLower(salt.Span),
                secretKey,
            },
            ct);
        return new MutablePutResult(
            reply.GetProperty("publicKey").GetString()!,
            reply.TryGetProperty("secretKey", out var sk) ? sk.GetString() : null,
            reply.GetProperty("target").GetString()!,
            reply.GetProperty("seq").GetInt64(),
            reply.GetProperty("nodes").GetInt32());
    }

    /// <summary>As <see cref="GetMutableAsync(string, string?, CancellationToken)"/> with any bytes as salt.</summary>
    public async Task<StoredItem> GetMutableAsync(string publicKeyHex, ReadOnlyMemory<byte> salt, CancellationToken ct) =>
        ReadItem(await CallAsync(
            new { cmd = "getMutable", publicKey = publicKeyHex, saltHex = salt.IsEmpty ? null : Convert.ToHexStringLower(salt.Span) },
            ct));

    /// <summary>What this peer itself stores under <paramref name="keyHex"/> (no network traffic). For an item,
    /// <see cref="StoredItem.NodeId"/> is the id of the node whose put stored it.</summary>
    public async Task<StoredItem> LocalAsync(string keyHex, CancellationToken ct) =>
        ReadItem(await CallAsync(new { cmd = "local", key = keyHex }, ct));

    /// <summary>Counters kept by the driver: routing table size, exceptions the library threw (e.g. on hostile
    /// input), datagrams dropped for leaving loopback, and queries received by type.</summary>
    public async Task<DriverStats> StatsAsync(CancellationToken ct)
    {
        var reply = await CallAsync(new { cmd = "stats" }, ct);
        var queries = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var q in reply.GetProperty("queries").EnumerateObject())
        {
            queries[q.Name] = q.Value.GetInt32();
        }

        return new DriverStats(
            reply.GetProperty("nodes").GetInt32(),
            reply.GetProperty("uncaught").GetInt32(),
            reply.GetProperty("dropped").GetInt32(),
            queries);
    }

    private static List<DriverNode> ReadNodes(JsonElement reply) =>
        reply.GetProperty("nodes").EnumerateArray()
            .Select(n => new DriverNode(
                n.GetProperty("id").GetString()!,
                new IPEndPoint(IPAddress.Parse(n.GetProperty("host").GetString()!), n.GetProperty("port").GetInt32())))
            .ToList();

    private static List<IPEndPoint> ReadEndPoints(JsonElement array) =>
        array.EnumerateArray().Select(p => IPEndPoint.Parse(p.GetString()!)).ToList();

    private static StoredItem ReadItem(JsonElement reply)
    {
        if (!reply.GetProperty("found").GetBoolean())
        {
            return new StoredItem(false, null, null, false, null, null);
        }

        return new StoredItem(
            true,
            reply.TryGetProperty("valueHex", out var v) ? Convert.FromHexString(v.GetString()!) : null,
            reply.TryGetProperty("seq", out var seq) ? seq.GetInt64() : null,
            reply.TryGetProperty("fromCache", out var cached) && cached.GetBoolean(),
            reply.TryGetProperty("nodeId", out var node) ? node.GetString() : null,
            reply.TryGetProperty("publicKey", out var k) ? k.GetString() : null);
    }

    /// <summary>A routing-table entry or lookup result of the peer.</summary>
    public sealed record DriverNode(string Id, IPEndPoint EndPoint);

    /// <summary><paramref name="Version"/> is the hex of the responder's <c>v</c> field, if it sent one.</summary>
    public sealed record PingReply(string NodeId, string? Version);

    /// <summary><paramref name="RemotePeers"/> are those that came over the network rather than from the
    /// peer's own store.</summary>
    public sealed record PeersResult(IReadOnlyList<IPEndPoint> Peers, IReadOnlyList<IPEndPoint> RemotePeers, int Visited);

    /// <summary><paramref name="Target"/> is the item's key (hex); <paramref name="Nodes"/> how many stored it.</summary>
    public sealed record PutResult(string Target, int Nodes);

    public sealed record MutablePutResult(string PublicKey, string? SecretKey, string Target, long Seq, int Nodes);

    /// <summary>A BEP 44 item as found by a get. <paramref name="NodeId"/> is the node that answered (for the
    /// peer's own copy: the node that put it).</summary>
    public sealed record StoredItem(bool Found, byte[]? Value, long? Seq, bool FromCache, string? NodeId, string? PublicKey)
    {
        public string? Text => Value is null ? null : Encoding.UTF8.GetString(Value);
    }

    public sealed record DriverStats(int Nodes, int Uncaught, int Dropped, IReadOnlyDictionary<string, int> Queries);
}
