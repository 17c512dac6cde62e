// BEP 44 get/put message shapes, using the BEP's own test vectors (key, salt, signature, targets) as field
// values so that the sliced fields can be checked against the targets the BEP gives.
using System.Buffers;
using Dht.Protocol.Bencode;
using Dht.Protocol.Krpc;
using Dht.Protocol.Tests.Support;

namespace Dht.Protocol.Tests.Krpc;

public sealed class Bep44MessageTests
{
    private static readonly string PublicKey = Hex("77ff84905a91936367c01360803104f92432fcd904a43511876df5cdf3e7e548");

    private static readonly string SaltedSignature = Hex(
        "6834284b6b24c3204eb2fea824d82f88883a3d95e8b4a21b8c0ded553d17d17d"
        + "df9a8a7104b1258f30bed3787e6cb896fca78c58f8e03b5f18f14951a87d9a08");

    private static readonly NodeId Abcdef = TestBytes.Id("abcdefghij0123456789");

    [Fact]
    public void ImmutablePut_DecodesValueInEncodedFormWhoseHashIsTheBepTarget()
    {
        const string bytes = "d1:ad2:id20:abcdefghij01234567895:token8:aoeusnth1:v12:Hello World!e1:q3:put1:t2:aa1:y1:qe";

        var (result, m) = TestBytes.Parse(bytes);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(KrpcMethod.Put, m.Method);
        Assert.Equal(KrpcFields.Id | KrpcFields.Token | KrpcFields.Value, m.Fields);
        Assert.Equal("12:Hello World!", TestBytes.Latin1(m.Value));
        Assert.Equal("e5f96f6f38320f0f33959cb4d3d656452117aadb", NodeId.Sha1(m.Value.Span).ToString());
        Assert.Equal(bytes, TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Fact]
    public void ImmutableGet_DecodesTarget()
    {
        string target = Hex("e5f96f6f38320f0f33959cb4d3d656452117aadb");
        string bytes = $"d1:ad2:id20:abcdefghij01234567896:target20:{target}e1:q3:get1:t2:aa1:y1:qe";

        var (result, m) = TestBytes.Parse(bytes);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(KrpcMethod.Get, m.Method);
        Assert.Equal(KrpcFields.Id | KrpcFields.Target, m.Fields);
        Assert.Equal(NodeId.Parse("e5f96f6f38320f0f33959cb4d3d656452117aadb"), m.Target);
        Assert.Equal(bytes, TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Fact]
    public void ImmutableGetResponse_DecodesValueNodesAndToken()
    {
        string node = "0123456789abcdefghij\u0001\u0002\u0003\u0004\u001a\u00e1";
        string bytes = $"d1:rd2:id20:abcdefghij01234567895:nodes26:{node}5:token8:aoeusnth1:v12:Hello World!e1:t2:aa1:y1:re";

        var (result, m) = TestBytes.Parse(bytes);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(KrpcFields.Id | KrpcFields.Nodes | KrpcFields.Token | KrpcFields.Value, m.Fields);
        Assert.Equal("12:Hello World!", TestBytes.Latin1(m.Value));
        Assert.Equal(bytes, TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Fact]
    public void MutablePutWithSaltAndCas_DecodesEveryField()
    {
        string bytes =
            $"d1:ad3:casi0e2:id20:abcdefghij01234567891:k32:{PublicKey}4:salt6:foobar3:seqi1e3:sig64:{SaltedSignature}"
            + "5:token8:aoeusnth1:v12:Hello World!e1:q3:put1:t2:aa1:y1:qe";

        var (result, m) = TestBytes.Parse(bytes);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(KrpcMethod.Put, m.Method);
        Assert.Equal(
            KrpcFields.Cas | KrpcFields.Id | KrpcFields.Key | KrpcFields.Salt | KrpcFields.Seq | KrpcFields.Signature
                | KrpcFields.Token | KrpcFields.Value,
            m.Fields);
        Assert.Equal(0, m.Cas);
        Assert.Equal(Abcdef, m.Id);
        Assert.Equal(PublicKey, TestBytes.Latin1(m.Key));
        Assert.Equal("foobar", TestBytes.Latin1(m.Salt));
        Assert.Equal(1, m.Seq);
        Assert.Equal(SaltedSignature, TestBytes.Latin1(m.Signature));
        Assert.Equal("aoeusnth", TestBytes.Latin1(m.Token));
        Assert.Equal("12:Hello World!", TestBytes.Latin1(m.Value));
    }

    [Fact]
    public void MutablePut_KeyAndSaltHashToTheBepTargets()
    {
        string bytes =
            $"d1:ad2:id20:abcdefghij01234567891:k32:{PublicKey}4:salt6:foobar3:seqi1e3:sig64:{SaltedSignature}"
            + "5:token8:aoeusnth1:v12:Hello World!e1:q3:put1:t2:aa1:y1:qe";
        var (result, m) = TestBytes.Parse(bytes);
        Assert.Equal(KrpcParseResult.Ok, result);

        byte[] keyAndSalt = [.. m.Key.Span, .. m.Salt.Span];

        Assert.Equal("4a533d47ec9c7d95b1ad75f576cffc641853b750", NodeId.Sha1(m.Key.Span).ToString());
        Assert.Equal("411eba73b6f087ca51a3795d9c8c938d365e32c1", NodeId.Sha1(keyAndSalt).ToString());
    }

    [Fact]
    public void MutablePut_FieldsRebuildTheBepSignedBuffer()
    {
        string bytes =
            $"d1:ad2:id20:abcdefghij01234567891:k32:{PublicKey}4:salt6:foobar3:seqi1e3:sig64:{SaltedSignature}"
            + "5:token8:aoeusnth1:v12:Hello World!e1:q3:put1:t2:aa1:y1:qe";
        var (_, m) = TestBytes.Parse(bytes);

        var buffer = new ArrayBufferWriter<byte>();
        var w = new BencodeWriter(buffer);
        w.WriteKey("salt"u8);
        w.WriteString(m.Salt.Span);
        w.WriteKey("seq"u8);
        w.WriteInteger(m.Seq);
        w.WriteKey("v"u8);
        w.WriteRaw(m.Value.Span);

        Assert.Equal("4:salt6:foobar3:seqi1e1:v12:Hello World!", TestBytes.Latin1(buffer.WrittenSpan));
    }

    [Fact]
    public void MutablePut_EncodesKeysInSortedOrder()
    {
        var m = new KrpcMessage
        {
            Kind = KrpcMessageKind.Query,
            Method = KrpcMethod.Put,
            TransactionId = TestBytes.Latin1("aa"),
            Cas = 3,
            Id = Abcdef,
            Key = TestBytes.Latin1(PublicKey),
            Salt = TestBytes.Latin1("foobar"),
            Seq = 4,
            Signature = TestBytes.Latin1(SaltedSignature),
            Token = TestBytes.Latin1("aoeusnth"),
            Value = TestBytes.Latin1("l1:ai7ee"),
        }.With(KrpcFields.Cas | KrpcFields.Id | KrpcFields.Key | KrpcFields.Salt | KrpcFields.Seq
            | KrpcFields.Signature | KrpcFields.Token | KrpcFields.Value);

        string encoded = TestBytes.Latin1(TestBytes.Encode(m));

        Assert.Equal(
            $"d1:ad3:casi3e2:id20:abcdefghij01234567891:k32:{PublicKey}4:salt6:foobar3:seqi4e3:sig64:{SaltedSignature}"
            + "5:token8:aoeusnth1:vl1:ai7eee1:q3:put1:t2:aa1:y1:qe",
            encoded);
        var (result, parsed) = TestBytes.Parse(encoded);
        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(m.Fields, parsed.Fields);
    }

    [Fact]
    public void MutableGetWithSeq_Decodes()
    {
        string target = Hex("4a533d47ec9c7d95b1ad75f576cffc641853b750");
        string bytes = $"d1:ad2:id20:abcdefghij01234567893:seqi4e6:target20:{target}e1:q3:get1:t2:aa1:y1:qe";

        var (result, m) = TestBytes.Parse(bytes);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(KrpcFields.Id | KrpcFields.Seq | KrpcFields.Target, m.Fields);
        Assert.Equal(4, m.Seq);
        Assert.Equal(NodeId.Parse("4a533d47ec9c7d95b1ad75f576cffc641853b750"), m.Target);
        Assert.Equal(bytes, TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Fact]
    public void MutableGetResponse_DecodesEveryField()
    {
        string node = "0123456789abcdefghij\u0001\u0002\u0003\u0004\u001a\u00e1";
        string node6 = "0123456789abcdefghij" + Hex("20010db8000000000000000000000001") + "\u001a\u00e1";
        string bytes =
            $"d1:rd2:id20:abcdefghij01234567891:k32:{PublicKey}5:nodes26:{node}6:nodes638:{node6}3:seqi1e3:sig64:{SaltedSignature}"
            + "5:token8:aoeusnth1:v12:Hello World!e1:t2:aa1:y1:re";

        var (result, m) = TestBytes.Parse(bytes);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(
            KrpcFields.Id | KrpcFields.Key | KrpcFields.Nodes | KrpcFields.Nodes6 | KrpcFields.Seq | KrpcFields.Signature
                | KrpcFields.Token | KrpcFields.Value,
            m.Fields);
        var nodes6 = new List<NodeInfo>();
        Assert.True(CompactEncoding.TryReadNodes(m.Nodes6.Span, ipv6: true, nodes6));
        Assert.Equal("[2001:db8::1]:6881", Assert.Single(nodes6).EndPoint.ToString());
        Assert.Equal(bytes, TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Theory]
    [InlineData("i42e")]
    [InlineData("i-1e")]
    [InlineData("0:")]
    [InlineData("le")]
    [InlineData("li1e2:abe")]
    [InlineData("d1:ad1:bi1eee")]
    [InlineData("d1:ai1e1:bl0:ee")]
    public void PutValue_OfAnyBencodedType_IsKeptVerbatim(string value)
    {
        string bytes = $"d1:ad2:id20:abcdefghij01234567895:token2:tk1:v{value}e1:q3:put1:t2:aa1:y1:qe";

        var (result, m) = TestBytes.Parse(bytes);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(value, TestBytes.Latin1(m.Value));
        Assert.Equal(bytes, TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Theory]
    [InlineData("d1:bi1e1:ai2ee", "dictionary keys not sorted")]
    [InlineData("i03e", "invalid integer")]
    [InlineData("d1:ai1e1:ai2ee", "duplicate dictionary key")]
    [InlineData("i-0e", "invalid integer")]
    public void PutValue_WhenNotCanonicalBencode_IsMalformed(string value, string reason)
    {
        var (result, _) = TestBytes.Parse($"d1:ad2:id20:abcdefghij01234567895:token2:tk1:v{value}e1:q3:put1:t2:aa1:y1:qe");

        Assert.Equal(KrpcParseStatus.Malformed, result.Status);
        Assert.Equal(reason, result.Reason);
    }

    [Fact]
    public void PutResponse_Decodes()
    {
        var (result, m) = TestBytes.Parse("d1:rd2:id20:abcdefghij0123456789e1:t2:aa1:y1:re");

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(KrpcFields.Id, m.Fields);
    }

    [Theory]
    [InlineData(KrpcErrorCode.ValueTooBig, "message (v field) too big.")]
    [InlineData(KrpcErrorCode.InvalidSignature, "invalid signature")]
    [InlineData(KrpcErrorCode.SaltTooBig, "salt (salt field) too big.")]
    [InlineData(KrpcErrorCode.CasMismatch, "the CAS hash mismatched, re-read value and try again.")]
    [InlineData(KrpcErrorCode.SequenceTooOld, "sequence number less than current.")]
    public void Bep44Errors_RoundTrip(int code, string text)
    {
        string bytes = $"d1:eli{code}e{text.Length}:{text}e1:t2:aa1:y1:ee";

        var (result, m) = TestBytes.Parse(bytes);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(code, m.ErrorCode);
        Assert.Equal(text, TestBytes.Latin1(m.ErrorMessage));
        Assert.Equal(bytes, TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Theory]
    [InlineData("1:k32:{K}3:seqi1e", "mutable put needs k, sig and seq")]
    [InlineData("1:k32:{K}3:sig64:{S}", "mutable put needs k, sig and seq")]
    [InlineData("3:seqi1e3:sig64:{S}", "mutable put needs k, sig and seq")]
    [InlineData("1:k31:{K31}3:seqi1e3:sig64:{S}", "invalid k")]
    [InlineData("1:k32:{K}3:seqi1e3:sig63:{S63}", "invalid sig")]
    [InlineData("1:k32:{K}3:seqi-1e3:sig64:{S}", "invalid seq")]
    [InlineData("1:k32:{K}4:salti1e3:seqi1e3:sig64:{S}", "invalid salt")]
    public void MutablePut_WhenFieldsMissingOrMistyped_IsMalformed(string template, string reason)
    {
        string fields = template
            .Replace("{K31}", PublicKey[..31], StringComparison.Ordinal)
            .Replace("{K}", PublicKey, StringComparison.Ordinal)
            .Replace("{S63}", SaltedSignature[..63], StringComparison.Ordinal)
            .Replace("{S}", SaltedSignature, StringComparison.Ordinal);
        string bytes = $"d1:ad2:id20:abcdefghij0123456789{fields}5:token2:tk1:v1:xe1:q3:put1:t2:aa1:y1:qe";

        var (result, _) = TestBytes.Parse(bytes);

        Assert.Equal(KrpcParseStatus.Malformed, result.Status);
        Assert.Equal(reason, result.Reason);
    }

    [Theory]
    [InlineData("5:token2:tk", "missing token or v")]
    [InlineData("1:v1:x", "missing token or v")]
    public void Put_WithoutTokenOrValue_IsMalformed(string fields, string reason)
    {
        var (result, _) = TestBytes.Parse($"d1:ad2:id20:abcdefghij0123456789{fields}e1:q3:put1:t2:aa1:y1:qe");

        Assert.Equal(KrpcParseStatus.Malformed, result.Status);
        Assert.Equal(reason, result.Reason);
    }

    [Fact]
    public void Get_WithoutTarget_IsMalformed()
    {
        var (result, _) = TestBytes.Parse("d1:ad2:id20:abcdefghij0123456789e1:q3:get1:t2:aa1:y1:qe");

        Assert.Equal(KrpcParseStatus.Malformed, result.Status);
        Assert.Equal("missing target", result.Reason);
    }

    private static string Hex(string hex) => TestBytes.Latin1(Convert.FromHexString(hex));
}
