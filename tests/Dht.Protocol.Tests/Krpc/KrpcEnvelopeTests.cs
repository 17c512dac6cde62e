// The top-level keys around every message (t, y, q, v, ip, ro), forward compatibility with keys and
// methods we do not know, and the parser's behaviour on reuse and failure.
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.NamedValues;
using Dht.Protocol.Tests.Support;

namespace Dht.Protocol.Tests.Krpc;

public sealed class KrpcEnvelopeTests
{
    private const string Id = "abcdefghij0123456789";
    private const string InfoHash = "mnopqrstuvwxyz123456";

    [Fact]
    public void ClientVersion_IsKeptAndWritten()
    {
        string bytes = $"d1:rd2:id20:{Id}e1:t2:aa1:v4:LT\u0001\u00021:y1:re";

        var (result, m) = TestBytes.Parse(bytes);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.True(m.Has(KrpcFields.ClientVersion));
        Assert.Equal("LT\u0001\u0002", TestBytes.Latin1(m.ClientVersion));
        Assert.Equal(bytes, TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Theory]
    [InlineData("17:abcdefghijklmnopq")]
    [InlineData("i1e")]
    [InlineData("l2:LTe")]
    [InlineData("d1:ai1ee")]
    public void ClientVersion_WhenTooLongOrNotAString_IsIgnored(string version)
    {
        var (result, m) = TestBytes.Parse($"d1:rd2:id20:{Id}e1:t2:aa1:v{version}1:y1:re");

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.False(m.Has(KrpcFields.ClientVersion));
        Assert.True(m.ClientVersion.IsEmpty);
    }

    [Fact]
    public void ReadOnly_WhenRoIsOne_IsSetAndWritten()
    {
        string bytes = $"d1:ad2:id20:{Id}e1:q4:ping2:roi1e1:t2:aa1:y1:qe";

        var (result, m) = TestBytes.Parse(bytes);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.True(m.ReadOnly);
        Assert.True(m.Has(KrpcFields.ReadOnly));
        Assert.Equal(bytes, TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Theory]
    [InlineData("i0e")]
    [InlineData("i2e")]
    [InlineData("1:1")]
    [InlineData("le")]
    public void ReadOnly_WhenRoIsNotTheIntegerOne_IsClear(string ro)
    {
        var (result, m) = TestBytes.Parse($"d1:ad2:id20:{Id}e1:q4:ping2:ro{ro}1:t2:aa1:y1:qe");

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.False(m.ReadOnly);
    }

    [Fact]
    public void ReadOnly_Setter_TogglesTheFlag()
    {
        var m = new KrpcMessage { ReadOnly = true };
        Assert.Equal(KrpcFields.ReadOnly, m.Fields);

        m.ReadOnly = false;

        Assert.Equal(KrpcFields.None, m.Fields);
    }

    [Fact]
    public void ExternalAddress_IPv4_IsKeptAsCompactPeer()
    {
        string bytes = $"d2:ip6:\u00c0\u00a8\u0001\u0002\u001a\u00e11:rd2:id20:{Id}e1:t2:aa1:y1:re";

        var (result, m) = TestBytes.Parse(bytes);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.True(m.Has(KrpcFields.ExternalAddress));
        Assert.True(CompactEncoding.TryReadPeer(m.ExternalAddress.Span, out var address));
        Assert.Equal("192.168.1.2:6881", address.ToString());
        Assert.Equal(bytes, TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Fact]
    public void ExternalAddress_IPv6_IsKeptAsCompactPeer()
    {
        string address = TestBytes.Latin1(Convert.FromHexString("20010db80000000000000000000000071ae1"));
        string bytes = $"d2:ip18:{address}1:rd2:id20:{Id}e1:t2:aa1:y1:re";

        var (result, m) = TestBytes.Parse(bytes);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.True(CompactEncoding.TryReadPeer(m.ExternalAddress.Span, out var endPoint));
        Assert.Equal("[2001:db8::7]:6881", endPoint.ToString());
        Assert.Equal(bytes, TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Theory]
    [InlineData("5:abcde")]
    [InlineData("0:")]
    [InlineData("i1e")]
    public void ExternalAddress_WhenNotACompactPeer_IsIgnored(string ip)
    {
        var (result, m) = TestBytes.Parse($"d2:ip{ip}1:rd2:id20:{Id}e1:t2:aa1:y1:re");

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.False(m.Has(KrpcFields.ExternalAddress));
    }

    [Theory]
    [InlineData("12:implied_porti1e", KrpcParseStatus.Ok)]
    [InlineData("12:implied_porti1e{IH}4:porti0e", KrpcParseStatus.Ok)]
    [InlineData("12:implied_porti0e{IH}4:porti6881e", KrpcParseStatus.Ok)]
    [InlineData("12:implied_porti0e", KrpcParseStatus.Malformed)]
    [InlineData("{IH}4:porti0e", KrpcParseStatus.Malformed)]
    [InlineData("", KrpcParseStatus.Malformed)]
    public void AnnouncePeer_NeedsAPortUnlessImpliedPortIsSet(string fields, object status)
    {
        var expected = (KrpcParseStatus)status; // object: a public test cannot take an internal type
        // Arguments are written in sorted order, so info_hash goes between implied_port and port.
        string arguments = fields.Contains("{IH}", StringComparison.Ordinal)
            ? fields.Replace("{IH}", $"9:info_hash20:{InfoHash}", StringComparison.Ordinal)
            : fields + $"9:info_hash20:{InfoHash}";

        var (result, _) = TestBytes.Parse(
            $"d1:ad2:id20:{Id}{arguments}5:token2:tke1:q13:announce_peer1:t2:aa1:y1:qe");

        Assert.Equal(expected, result.Status);
        if (expected == KrpcParseStatus.Malformed)
        {
            Assert.Equal("missing port", result.Reason);
        }
    }

    [Fact]
    public void AnnouncePeer_SeedFlag_RoundTrips()
    {
        string bytes = $"d1:ad2:id20:{Id}9:info_hash20:{InfoHash}4:porti6881e4:seedi1e5:token2:tke1:q13:announce_peer1:t2:aa1:y1:qe";

        var (result, m) = TestBytes.Parse(bytes);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.True(m.Seed);
        Assert.Equal(bytes, TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Theory]
    [InlineData("sample_infohashes", "6:target20:mnopqrstuvwxyz123456")]
    [InlineData("vote", "6:target20:mnopqrstuvwxyz1234564:votei3e")]
    [InlineData("x", "")]
    [InlineData("PING", "")]
    public void Query_WithUnknownMethodAndValidArguments_IsMethodUnknown(string method, string arguments)
    {
        var (result, m) = TestBytes.Parse($"d1:ad2:id20:{Id}{arguments}e1:q{method.Length}:{method}1:t2:aa1:y1:qe");

        Assert.Equal(KrpcParseStatus.MethodUnknown, result.Status);
        Assert.Equal("method unknown", result.Reason);
        // A 204 reply needs the transaction id and is addressed to the sender's id.
        Assert.Equal(KrpcMessageKind.Query, m.Kind);
        Assert.Equal(KrpcMethod.Unknown, m.Method);
        Assert.Equal("aa", TestBytes.Latin1(m.TransactionId));
        Assert.Equal(TestBytes.Id(Id), m.Id);
    }

    [Fact]
    public void Query_WithUnknownMethodAndMalformedKnownArgument_IsMalformed()
    {
        var (result, _) = TestBytes.Parse($"d1:ad2:id19:{Id[..19]}e1:q4:vote1:t2:aa1:y1:qe");

        Assert.Equal(KrpcParseStatus.Malformed, result.Status);
        Assert.Equal("invalid id", result.Reason);
    }

    [Fact]
    public void UnknownKeys_AtEveryLevel_AreIgnored()
    {
        string plain = $"d1:ad2:id20:{Id}6:target20:{InfoHash}e1:q9:find_node1:t2:aa1:y1:qe";
        string extended =
            $"d1:ad2:id20:{Id}4:namei7e6:target20:{InfoHash}3:zzzld1:xi1eeee"
            + "1:q9:find_node1:t2:aa1:y1:q2:zzd1:ali1e3:dddd1:ale1:bdeeeee";

        var (plainResult, expected) = TestBytes.Parse(plain);
        var (result, actual) = TestBytes.Parse(extended);

        Assert.Equal(KrpcParseResult.Ok, plainResult);
        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(expected.Fields, actual.Fields);
        Assert.Equal(expected.Target, actual.Target);
        // Unknown keys are not carried, so the message re-encodes to the plain form.
        Assert.Equal(plain, TestBytes.Latin1(TestBytes.Encode(actual)));
    }

    [Fact]
    public void UnknownKeys_InAResponse_AreIgnored()
    {
        // BEP 51 return values that this node does not interpret.
        var (result, m) = TestBytes.Parse(
            $"d1:rd2:id20:{Id}8:intervali21600e5:nodes0:3:numi0e7:samples0:e1:t2:aa1:y1:re");

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(KrpcFields.Id | KrpcFields.Nodes, m.Fields);
    }

    [Fact]
    public void Response_WithoutId_IsMalformed()
    {
        var (result, _) = TestBytes.Parse("d1:rd5:nodes0:e1:t2:aa1:y1:re");

        Assert.Equal(KrpcParseStatus.Malformed, result.Status);
        Assert.Equal("missing id", result.Reason);
    }

    [Theory]
    [InlineData("d1:q4:ping1:rd2:id20:abcdefghij0123456789e1:t2:aa1:y1:qe", "missing arguments")]
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:t2:aa1:y1:re", "missing return values")]
    public void Body_UnderTheOtherKindsKey_IsMalformed(string bytes, string reason)
    {
        var (result, _) = TestBytes.Parse(bytes);

        Assert.Equal(KrpcParseStatus.Malformed, result.Status);
        Assert.Equal(reason, result.Reason);
    }

    [Fact]
    public void Error_WithoutMessageText_IsAccepted()
    {
        var (result, m) = TestBytes.Parse("d1:eli202ee1:t2:aa1:y1:ee");

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(202, m.ErrorCode);
        Assert.True(m.ErrorMessage.IsEmpty);
    }

    [Fact]
    public void Error_WithExtraListElements_KeepsCodeAndText()
    {
        var (result, m) = TestBytes.Parse("d1:eli203e3:badli1eed1:ai1ee4:moree1:t2:aa1:y1:ee");

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(203, m.ErrorCode);
        Assert.Equal("bad", TestBytes.Latin1(m.ErrorMessage));
    }

    [Theory]
    [InlineData("1:\u0000")]
    [InlineData("4:\u00ff\u00fe\u0000\u0001")]
    [InlineData("32:0123456789abcdef0123456789abcdef")]
    public void TransactionId_OfAnyBytesUpToTheLimit_IsEchoedVerbatim(string t)
    {
        string bytes = $"d1:ad2:id20:{Id}e1:q4:ping1:t{t}1:y1:qe";

        var (result, m) = TestBytes.Parse(bytes);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(t[(t.IndexOf(':', StringComparison.Ordinal) + 1)..], TestBytes.Latin1(m.TransactionId));
        Assert.Equal(bytes, TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Fact]
    public void Parse_WhenArgumentsAreMalformed_StillReturnsTheTransactionId()
    {
        var (result, m) = TestBytes.Parse($"d1:ad2:id19:{Id[..19]}e1:q4:ping1:t2:xy1:y1:qe");

        Assert.Equal(KrpcParseStatus.Malformed, result.Status);
        Assert.Equal("invalid id", result.Reason);
        Assert.Equal("xy", TestBytes.Latin1(m.TransactionId));
    }

    [Fact]
    public void Parse_SlicesFieldsFromTheDatagramWithoutCopying()
    {
        byte[] datagram = TestBytes.Latin1($"d1:rd2:id20:{Id}5:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee1:t2:aa1:y1:re");
        var m = new KrpcMessage();

        KrpcParser.Parse(datagram, m);

        Assert.True(datagram.AsSpan().Overlaps(m.Token.Span, out int tokenOffset));
        Assert.Equal(TestBytes.Latin1(datagram).IndexOf("aoeusnth", StringComparison.Ordinal), tokenOffset);
        Assert.True(datagram.AsSpan().Overlaps(m.Values.Span));
        Assert.True(datagram.AsSpan().Overlaps(m.TransactionId.Span));
    }

    [Fact]
    public void Parse_IntoAReusedMessage_ClearsEveryEarlierField()
    {
        var m = new KrpcMessage();
        string full =
            $"d2:ip6:\u0001\u0002\u0003\u0004\u0005\u00061:rd3:casi1e2:id20:{Id}1:k32:{new string('k', 32)}5:nodes0:6:nodes60:"
            + $"4:salt1:s3:seqi9e3:sig64:{new string('s', 64)}5:token2:tk3:ttli5e1:v1:x6:valuesle4:wantlee2:roi1e1:t2:aa1:v2:LT1:y1:re";
        Assert.Equal(KrpcParseResult.Ok, KrpcParser.Parse(TestBytes.Latin1(full), m));

        var result = KrpcParser.Parse(TestBytes.Latin1("d1:eli201e1:xe1:t1:b1:y1:ee"), m);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(KrpcFields.None, m.Fields);
        Assert.Equal(KrpcMessageKind.Error, m.Kind);
        Assert.Equal(default, m.Id);
        Assert.True(m.ClientVersion.IsEmpty && m.ExternalAddress.IsEmpty && m.Token.IsEmpty && m.Value.IsEmpty);
        Assert.True(m.Key.IsEmpty && m.Signature.IsEmpty && m.Salt.IsEmpty && m.Values.IsEmpty && m.Want.IsEmpty);
        Assert.Equal((0L, 0L, 0L), (m.Seq, m.Cas, m.GetInteger(NamedValueMessages.Ttl)));
        Assert.False(m.ReadOnly);
    }

    [Fact]
    public void Parse_WhenDatagramIsASliceOfALargerBuffer_OffsetsFieldsCorrectly()
    {
        string message = $"d1:rd2:id20:{Id}5:token2:tke1:t2:aa1:y1:re";
        byte[] buffer = TestBytes.Latin1("garbage" + message + "more garbage");
        var m = new KrpcMessage();

        var result = KrpcParser.Parse(buffer.AsMemory(7, message.Length), m);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal("tk", TestBytes.Latin1(m.Token));
        Assert.Equal("aa", TestBytes.Latin1(m.TransactionId));
    }

    [Fact]
    public void Write_WhenKindIsNotSet_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => TestBytes.Encode(new KrpcMessage()));
    }

    [Fact]
    public void Write_QueryWithUnknownMethod_Throws()
    {
        var m = new KrpcMessage { Kind = KrpcMessageKind.Query, Method = KrpcMethod.Unknown };

        Assert.Throws<ArgumentOutOfRangeException>(() => TestBytes.Encode(m));
    }

    [Theory]
    [InlineData(KrpcMethod.Ping, "ping")]
    [InlineData(KrpcMethod.FindNode, "find_node")]
    [InlineData(KrpcMethod.GetPeers, "get_peers")]
    [InlineData(KrpcMethod.AnnouncePeer, "announce_peer")]
    [InlineData(KrpcMethod.Get, "get")]
    [InlineData(KrpcMethod.Put, "put")]
    [InlineData(NamedValueMethods.FindValue, "find_value")]
    [InlineData(NamedValueMethods.Store, "store")]
    public void MethodNames_RoundTrip(KrpcMethod method, string name)
    {
        Assert.Equal(name, TestBytes.Latin1(KrpcMethods.NameOf(method)));
        Assert.Equal(method, KrpcMethods.Parse(TestBytes.Latin1(name)));
        Assert.Equal(name, KrpcMethods.DisplayName(method));
    }
}
