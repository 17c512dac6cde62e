using System.Net;
using System.Text;
using Dht.Protocol;
using Dht.Protocol.Krpc;

namespace Dht.Tests.Engine;

/// <summary>What a node answers to hand-built datagrams, byte for byte where it matters.</summary>
public sealed class KrpcConformanceTests : IAsyncLifetime
{
    private readonly DhtNode _node = new(new DhtOptions { Port = 0, ListenAddress = IPAddress.Loopback });
    private readonly ScriptedPeer _peer = new();
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));

    public Task InitializeAsync() => _node.StartAsync();

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _peer.Dispose();
        _timeout.Dispose();
    }

    private Task<(KrpcParseResult Result, KrpcMessage Message)> Exchange(byte[] datagram) =>
        _peer.ExchangeAsync(_node.LocalEndPoint, datagram, _timeout.Token);

    [Fact]
    public async Task Ping_IsAnsweredWithOurIdClientVersionAndTheRequesterAddress()
    {
        var (result, reply) = await Exchange(_peer.Query(KrpcMethod.Ping));
        Assert.True(result.IsOk);
        Assert.Equal(KrpcMessageKind.Response, reply.Kind);
        Assert.Equal("aa"u8.ToArray(), reply.TransactionId.ToArray());
        Assert.Equal(_node.Id, reply.Id);
        Assert.Equal("KV"u8.ToArray(), reply.ClientVersion[..2].ToArray());
        Assert.True(CompactEncoding.TryReadPeer(reply.ExternalAddress.Span, out var seen));
        Assert.Equal(_peer.EndPoint, seen);
    }

    [Fact]
    public async Task UnknownMethod_IsAnsweredWith204()
    {
        var datagram = Encoding.ASCII.GetBytes("d1:ad2:id20:abcdefghij0123456789e1:q10:frobnicate1:t2:xy1:y1:qe");
        var (_, reply) = await Exchange(datagram);
        Assert.Equal(KrpcMessageKind.Error, reply.Kind);
        Assert.Equal(KrpcErrorCode.MethodUnknown, reply.ErrorCode);
        Assert.Equal("xy"u8.ToArray(), reply.TransactionId.ToArray());
    }

    [Theory]
    [InlineData("d1:ad2:id19:abcdefghij012345678e1:q4:ping1:t2:xy1:y1:qe")] // id of 19 bytes
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q9:find_node1:t2:xy1:y1:qe")] // find_node without target
    [InlineData("d1:t2:xy1:y1:q1:q4:ping1:ad2:id20:abcdefghij0123456789ee")] // keys not sorted
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:xy1:y1:q")] // truncated
    public async Task MalformedQuery_IsAnsweredWith203(string datagram)
    {
        var (_, reply) = await Exchange(Encoding.ASCII.GetBytes(datagram));
        Assert.Equal(KrpcMessageKind.Error, reply.Kind);
        Assert.Equal(KrpcErrorCode.Protocol, reply.ErrorCode);
    }

    [Fact]
    public async Task AnnounceWithBadToken_Gets203AndStoresNothing_ValidTokenIsServedBack()
    {
        var infoHash = NodeId.FromKey("conformance");
        var (_, bad) = await Exchange(_peer.Query(KrpcMethod.AnnouncePeer, m =>
        {
            m.InfoHash = infoHash;
            m.Port = 5555;
            m.Token = "nope"u8.ToArray();
            m.Fields |= KrpcFields.InfoHash | KrpcFields.Port | KrpcFields.Token;
        }));
        Assert.Equal(KrpcErrorCode.Protocol, bad.ErrorCode);

        var (_, peers) = await Exchange(_peer.Query(KrpcMethod.GetPeers, m =>
        {
            m.InfoHash = infoHash;
            m.Fields |= KrpcFields.InfoHash;
        }));
        Assert.False(peers.Has(KrpcFields.Values));
        Assert.True(peers.Has(KrpcFields.Token));
        var token = peers.Token.ToArray();

        var (_, good) = await Exchange(_peer.Query(KrpcMethod.AnnouncePeer, m =>
        {
            m.InfoHash = infoHash;
            m.Port = 5555;
            m.Token = token;
            m.Fields |= KrpcFields.InfoHash | KrpcFields.Port | KrpcFields.Token;
        }));
        Assert.Equal(KrpcMessageKind.Response, good.Kind);

        var (_, after) = await Exchange(_peer.Query(KrpcMethod.GetPeers, m =>
        {
            m.InfoHash = infoHash;
            m.Fields |= KrpcFields.InfoHash;
        }));
        var list = new List<NetEndPoint>();
        KrpcLists.ReadPeers(after.Values.Span, list);
        Assert.Equal([_peer.EndPoint.WithPort(5555)], list);
    }

    [Fact]
    public async Task FindNode_ReturnsTheQuerierToOthersButNotToItself()
    {
        using var other = new ScriptedPeer("other-scripted-peer");
        await Exchange(_peer.Query(KrpcMethod.Ping));
        await other.ExchangeAsync(_node.LocalEndPoint, other.Query(KrpcMethod.Ping), _timeout.Token);

        // The querier knows itself: its slot goes to the next closest contact.
        var (_, own) = await Exchange(_peer.Query(KrpcMethod.FindNode, m =>
        {
            m.Target = _peer.Id;
            m.Fields |= KrpcFields.Target;
        }));
        var nodes = new List<NodeInfo>();
        Assert.True(CompactEncoding.TryReadNodes(own.Nodes.Span, ipv6: false, nodes));
        Assert.Equal([new NodeInfo(other.Id, other.EndPoint)], nodes);

        var (_, theirs) = await other.ExchangeAsync(_node.LocalEndPoint, other.Query(KrpcMethod.FindNode, m =>
        {
            m.Target = _peer.Id;
            m.Fields |= KrpcFields.Target;
        }), _timeout.Token);
        nodes.Clear();
        Assert.True(CompactEncoding.TryReadNodes(theirs.Nodes.Span, ipv6: false, nodes));
        Assert.Equal([new NodeInfo(_peer.Id, _peer.EndPoint)], nodes);
    }

    [Fact]
    public async Task FindNode_NeverListsAContactThatOnlyQueriedUs_UntilItAnswersOneOfOurQueries()
    {
        using var silent = new ScriptedPeer("silent-scripted-peer") { AnswersQueries = false };
        await silent.ExchangeAsync(_node.LocalEndPoint, silent.Query(KrpcMethod.Ping), _timeout.Token);

        var (_, reply) = await Exchange(_peer.Query(KrpcMethod.FindNode, m =>
        {
            m.Target = silent.Id;
            m.Fields |= KrpcFields.Target;
        }));

        var nodes = new List<NodeInfo>();
        Assert.True(CompactEncoding.TryReadNodes(reply.Nodes.Span, ipv6: false, nodes));
        Assert.DoesNotContain(nodes, n => n.Id == silent.Id);
    }
}
