// The example packets of BEP 5, byte for byte. Each is decoded and checked field by field, and the
// equivalent message is encoded and compared with the BEP's bytes.
using Dht.Protocol.Krpc;
using Dht.Protocol.Tests.Support;

namespace Dht.Protocol.Tests.Krpc;

public sealed class Bep5GoldenVectorTests
{
    private static readonly NodeId Abcdef = TestBytes.Id("abcdefghij0123456789");
    private static readonly NodeId Mnopqr = TestBytes.Id("mnopqrstuvwxyz123456");

    [Fact]
    public void PingQuery_Decodes()
    {
        var (result, m) = TestBytes.Parse("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe");

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(KrpcMessageKind.Query, m.Kind);
        Assert.Equal(KrpcMethod.Ping, m.Method);
        Assert.Equal("aa", TestBytes.Latin1(m.TransactionId));
        Assert.Equal(KrpcFields.Id, m.Fields);
        Assert.Equal(Abcdef, m.Id);
    }

    [Fact]
    public void PingQuery_EncodesToBepBytes()
    {
        var m = Query(KrpcMethod.Ping, Abcdef);

        Assert.Equal("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe", TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Fact]
    public void PingResponse_Decodes()
    {
        var (result, m) = TestBytes.Parse("d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re");

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(KrpcMessageKind.Response, m.Kind);
        Assert.Equal(KrpcMethod.Unknown, m.Method);
        Assert.Equal("aa", TestBytes.Latin1(m.TransactionId));
        Assert.Equal(KrpcFields.Id, m.Fields);
        Assert.Equal(Mnopqr, m.Id);
    }

    [Fact]
    public void PingResponse_EncodesToBepBytes()
    {
        // The announce_peer response of BEP 5 is the same packet.
        var m = Response(Mnopqr);

        Assert.Equal("d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re", TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Fact]
    public void FindNodeQuery_Decodes()
    {
        var (result, m) = TestBytes.Parse(
            "d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe");

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(KrpcMessageKind.Query, m.Kind);
        Assert.Equal(KrpcMethod.FindNode, m.Method);
        Assert.Equal(KrpcFields.Id | KrpcFields.Target, m.Fields);
        Assert.Equal(Abcdef, m.Id);
        Assert.Equal(Mnopqr, m.Target);
    }

    [Fact]
    public void FindNodeQuery_EncodesToBepBytes()
    {
        var m = Query(KrpcMethod.FindNode, Abcdef).With(KrpcFields.Target);
        m.Target = Mnopqr;

        Assert.Equal(
            "d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe",
            TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Fact]
    public void FindNodeResponse_EncodesToBepBytes()
    {
        var m = Response(TestBytes.Id("0123456789abcdefghij")).With(KrpcFields.Nodes);
        m.Nodes = TestBytes.Latin1("def456...");

        Assert.Equal(
            "d1:rd2:id20:0123456789abcdefghij5:nodes9:def456...e1:t2:aa1:y1:re",
            TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Fact]
    public void FindNodeResponse_WithTheBepPlaceholderNodes_IsMalformed()
    {
        // "def456..." stands for compact node info in the BEP; as bytes it is 9 long, not a multiple of 26.
        var (result, _) = TestBytes.Parse("d1:rd2:id20:0123456789abcdefghij5:nodes9:def456...e1:t2:aa1:y1:re");

        Assert.Equal(KrpcParseStatus.Malformed, result.Status);
        Assert.Equal("invalid nodes", result.Reason);
    }

    [Fact]
    public void FindNodeResponse_WithCompactNodeInfo_Decodes()
    {
        string compact = "0123456789abcdefghij" + "\u007f\0\0\u0001\u001a\u00e1";
        var (result, m) = TestBytes.Parse($"d1:rd2:id20:0123456789abcdefghij5:nodes26:{compact}e1:t2:aa1:y1:re");

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(KrpcFields.Id | KrpcFields.Nodes, m.Fields);
        var nodes = new List<NodeInfo>();
        Assert.True(CompactEncoding.TryReadNodes(m.Nodes.Span, ipv6: false, nodes));
        Assert.Equal([new NodeInfo(TestBytes.Id("0123456789abcdefghij"), NetEndPoint.FromIPv4(0x7F000001, 6881))], nodes);
    }

    [Fact]
    public void GetPeersQuery_Decodes()
    {
        var (result, m) = TestBytes.Parse(
            "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e1:q9:get_peers1:t2:aa1:y1:qe");

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(KrpcMethod.GetPeers, m.Method);
        Assert.Equal(KrpcFields.Id | KrpcFields.InfoHash, m.Fields);
        Assert.Equal(Abcdef, m.Id);
        Assert.Equal(Mnopqr, m.InfoHash);
    }

    [Fact]
    public void GetPeersQuery_EncodesToBepBytes()
    {
        var m = Query(KrpcMethod.GetPeers, Abcdef).With(KrpcFields.InfoHash);
        m.InfoHash = Mnopqr;

        Assert.Equal(
            "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e1:q9:get_peers1:t2:aa1:y1:qe",
            TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Fact]
    public void GetPeersResponseWithPeers_Decodes()
    {
        var (result, m) = TestBytes.Parse(
            "d1:rd2:id20:abcdefghij01234567895:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee1:t2:aa1:y1:re");

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(KrpcMessageKind.Response, m.Kind);
        Assert.Equal(KrpcFields.Id | KrpcFields.Token | KrpcFields.Values, m.Fields);
        Assert.Equal(Abcdef, m.Id);
        Assert.Equal("aoeusnth", TestBytes.Latin1(m.Token));
        Assert.Equal("l6:axje.u6:idhtnme", TestBytes.Latin1(m.Values));
        var peers = new List<NetEndPoint>();
        KrpcLists.ReadPeers(m.Values.Span, peers);
        Assert.Equal([Peer("axje.u"), Peer("idhtnm")], peers);
        Assert.Equal("97.120.106.101:11893", peers[0].ToString());
    }

    [Fact]
    public void GetPeersResponseWithPeers_EncodesToBepBytes()
    {
        var values = new System.Buffers.ArrayBufferWriter<byte>();
        KrpcLists.WritePeers([Peer("axje.u"), Peer("idhtnm")], values);
        var m = Response(Abcdef).With(KrpcFields.Token | KrpcFields.Values);
        m.Token = TestBytes.Latin1("aoeusnth");
        m.Values = values.WrittenMemory;

        Assert.Equal(
            "d1:rd2:id20:abcdefghij01234567895:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee1:t2:aa1:y1:re",
            TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Fact]
    public void GetPeersResponseWithNodes_EncodesToBepBytes()
    {
        var m = Response(Abcdef).With(KrpcFields.Token | KrpcFields.Nodes);
        m.Token = TestBytes.Latin1("aoeusnth");
        m.Nodes = TestBytes.Latin1("def456...");

        Assert.Equal(
            "d1:rd2:id20:abcdefghij01234567895:nodes9:def456...5:token8:aoeusnthe1:t2:aa1:y1:re",
            TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Fact]
    public void GetPeersResponseWithNodes_WithTheBepPlaceholderNodes_IsMalformed()
    {
        var (result, _) = TestBytes.Parse(
            "d1:rd2:id20:abcdefghij01234567895:nodes9:def456...5:token8:aoeusnthe1:t2:aa1:y1:re");

        Assert.Equal(KrpcParseStatus.Malformed, result.Status);
        Assert.Equal("invalid nodes", result.Reason);
    }

    [Fact]
    public void AnnouncePeerQuery_Decodes()
    {
        // The BEP's bencoded line (without implied_port; the dictionary above it shows implied_port 1).
        var (result, m) = TestBytes.Parse(
            "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe");

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(KrpcMethod.AnnouncePeer, m.Method);
        Assert.Equal(KrpcFields.Id | KrpcFields.InfoHash | KrpcFields.Port | KrpcFields.Token, m.Fields);
        Assert.Equal(Abcdef, m.Id);
        Assert.Equal(Mnopqr, m.InfoHash);
        Assert.Equal(6881, m.Port);
        Assert.False(m.ImpliedPort);
        Assert.Equal("aoeusnth", TestBytes.Latin1(m.Token));
    }

    [Fact]
    public void AnnouncePeerQuery_EncodesToBepBytes()
    {
        var m = Query(KrpcMethod.AnnouncePeer, Abcdef).With(KrpcFields.InfoHash | KrpcFields.Port | KrpcFields.Token);
        m.InfoHash = Mnopqr;
        m.Port = 6881;
        m.Token = TestBytes.Latin1("aoeusnth");

        Assert.Equal(
            "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe",
            TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Fact]
    public void AnnouncePeerQueryWithImpliedPort_RoundTrips()
    {
        // The dictionary form of the BEP's example, which carries implied_port = 1.
        const string bytes =
            "d1:ad2:id20:abcdefghij012345678912:implied_porti1e9:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe";
        var (result, m) = TestBytes.Parse(bytes);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.True(m.ImpliedPort);
        Assert.True(m.Has(KrpcFields.ImpliedPort | KrpcFields.Port));
        Assert.Equal(6881, m.Port);

        var built = Query(KrpcMethod.AnnouncePeer, Abcdef)
            .With(KrpcFields.ImpliedPort | KrpcFields.InfoHash | KrpcFields.Port | KrpcFields.Token);
        built.ImpliedPort = true;
        built.InfoHash = Mnopqr;
        built.Port = 6881;
        built.Token = TestBytes.Latin1("aoeusnth");
        Assert.Equal(bytes, TestBytes.Latin1(TestBytes.Encode(built)));
    }

    [Fact]
    public void GenericError_Decodes()
    {
        var (result, m) = TestBytes.Parse("d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee");

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(KrpcMessageKind.Error, m.Kind);
        Assert.Equal(KrpcErrorCode.Generic, m.ErrorCode);
        Assert.Equal("A Generic Error Ocurred", TestBytes.Latin1(m.ErrorMessage));
        Assert.Equal("aa", TestBytes.Latin1(m.TransactionId));
        Assert.Equal(KrpcFields.None, m.Fields);
    }

    [Fact]
    public void GenericError_EncodesToBepBytes()
    {
        var m = new KrpcMessage
        {
            Kind = KrpcMessageKind.Error,
            TransactionId = TestBytes.Latin1("aa"),
            ErrorCode = KrpcErrorCode.Generic,
            ErrorMessage = TestBytes.Latin1("A Generic Error Ocurred"),
        };

        Assert.Equal("d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee", TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Theory]
    [InlineData("d1:eli202e12:Server Errore1:t2:aa1:y1:ee", KrpcErrorCode.Server, "Server Error")]
    [InlineData("d1:eli203e14:Protocol Errore1:t2:aa1:y1:ee", KrpcErrorCode.Protocol, "Protocol Error")]
    [InlineData("d1:eli204e14:Method Unknowne1:t2:aa1:y1:ee", KrpcErrorCode.MethodUnknown, "Method Unknown")]
    public void OtherBep5Errors_RoundTrip(string bytes, int code, string text)
    {
        var (result, m) = TestBytes.Parse(bytes);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(code, m.ErrorCode);
        Assert.Equal(text, TestBytes.Latin1(m.ErrorMessage));
        Assert.Equal(bytes, TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Theory]
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe")]
    [InlineData("d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re")]
    [InlineData("d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe")]
    [InlineData("d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e1:q9:get_peers1:t2:aa1:y1:qe")]
    [InlineData("d1:rd2:id20:abcdefghij01234567895:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee1:t2:aa1:y1:re")]
    [InlineData("d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe")]
    [InlineData("d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee")]
    public void DecodeThenEncode_ReproducesTheBepBytes(string bytes)
    {
        var (result, m) = TestBytes.Parse(bytes);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(bytes, TestBytes.Latin1(TestBytes.Encode(m)));
    }

    private static NetEndPoint Peer(string sixChars)
    {
        Assert.True(CompactEncoding.TryReadPeer(TestBytes.Latin1(sixChars), out var endPoint));
        return endPoint;
    }

    private static KrpcMessage Query(KrpcMethod method, NodeId id) => new KrpcMessage
    {
        Kind = KrpcMessageKind.Query,
        Method = method,
        TransactionId = TestBytes.Latin1("aa"),
        Id = id,
    }.With(KrpcFields.Id);

    private static KrpcMessage Response(NodeId id) => new KrpcMessage
    {
        Kind = KrpcMessageKind.Response,
        TransactionId = TestBytes.Latin1("aa"),
        Id = id,
    }.With(KrpcFields.Id);
}
