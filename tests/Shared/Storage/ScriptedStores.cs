using System.Text;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.NamedValues;

namespace Dht.TestSupport.Storage;

/// <summary>
/// The storing queries a <see cref="ScriptedPeer"/> sends in the storage tests, each answered by the node.
/// They are marked read-only (BEP 43), so the node never adds the peer to its table and never sends it a
/// query that would arrive where the test expects an answer.
/// </summary>
internal static class ScriptedStores
{
    public static async Task<KrpcMessage> AnswerAsync(this ScriptedPeer peer, NetEndPoint node, byte[] datagram, CancellationToken ct)
    {
        var (result, reply) = await peer.ExchangeAsync(node, datagram, ct);
        Assert.True(result.IsOk, result.Reason);
        return reply;
    }

    public static Task<KrpcMessage> PingAsync(this ScriptedPeer peer, NetEndPoint node, CancellationToken ct) =>
        peer.AnswerAsync(node, Query(peer, KrpcMethod.Ping, _ => { }), ct);

    public static Task<KrpcMessage> FindValueAsync(this ScriptedPeer peer, NetEndPoint node, NodeId target, CancellationToken ct) =>
        peer.AnswerAsync(node, Query(peer, NamedValueMethods.FindValue, m =>
        {
            m.Target = target;
            m.Fields |= KrpcFields.Target;
        }), ct);

    /// <summary>A write token from the node (bound to the address: on 127.0.0.1 it serves every local peer).</summary>
    public static async Task<byte[]> TokenAsync(this ScriptedPeer peer, NetEndPoint node, CancellationToken ct)
    {
        var reply = await peer.FindValueAsync(node, NodeId.FromKey("token"), ct);
        Assert.True(reply.Has(KrpcFields.Token));
        return reply.Token.ToArray();
    }

    /// <summary>A named-value store of <paramref name="value"/> (a tombstone when empty).</summary>
    public static Task<KrpcMessage> StoreAsync(this ScriptedPeer peer, NetEndPoint node, byte[] token, NodeId target, string value, long seq, CancellationToken ct) =>
        peer.AnswerAsync(node, Query(peer, NamedValueMethods.Store, m =>
        {
            m.Target = target;
            m.Token = token;
            m.Value = Encoding.ASCII.GetBytes($"{value.Length}:{value}");
            m.Seq = seq;
            m.Fields |= KrpcFields.Target | KrpcFields.Token | KrpcFields.Value | KrpcFields.Seq;
        }), ct);

    public static Task<KrpcMessage> GetPeersAsync(this ScriptedPeer peer, NetEndPoint node, NodeId infoHash, CancellationToken ct) =>
        peer.AnswerAsync(node, Query(peer, KrpcMethod.GetPeers, m =>
        {
            m.InfoHash = infoHash;
            m.Fields |= KrpcFields.InfoHash;
        }), ct);

    public static Task<KrpcMessage> AnnounceAsync(this ScriptedPeer peer, NetEndPoint node, byte[] token, NodeId infoHash, int port, CancellationToken ct) =>
        peer.AnswerAsync(node, Query(peer, KrpcMethod.AnnouncePeer, m =>
        {
            m.InfoHash = infoHash;
            m.Token = token;
            m.Port = port;
            m.Fields |= KrpcFields.InfoHash | KrpcFields.Token | KrpcFields.Port;
        }), ct);

    private static byte[] Query(ScriptedPeer peer, KrpcMethod method, Action<KrpcMessage> arguments) => peer.Query(method, m =>
    {
        arguments(m);
        m.ReadOnly = true;
    });

    public static void AssertOk(KrpcMessage reply) =>
        Assert.True(reply.Kind == KrpcMessageKind.Response, $"expected a response, got {reply.Kind} {reply.ErrorCode}");

    public static void AssertError(int code, KrpcMessage reply)
    {
        Assert.Equal(KrpcMessageKind.Error, reply.Kind);
        Assert.Equal(code, reply.ErrorCode);
    }
}
