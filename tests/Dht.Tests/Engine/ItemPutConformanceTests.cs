using System.Net;
using System.Text;
using Dht.Crypto;
using Dht.Protocol;
using Dht.Protocol.Krpc;

namespace Dht.Tests.Engine;

/// <summary>
/// BEP 44 get and put against a real node, from hand-built datagrams: every refused put gets its KRPC error
/// and leaves what a following get answers exactly as it was.
/// </summary>
public sealed class ItemPutConformanceTests : IAsyncLifetime
{
    // BEP 44's test vector: "Hello World!" at seq 1 with salt "foobar".
    private static readonly byte[] VectorKey = Convert.FromHexString("77ff84905a91936367c01360803104f92432fcd904a43511876df5cdf3e7e548");
    private static readonly byte[] VectorSalt = "foobar"u8.ToArray();
    private static readonly byte[] VectorValue = "12:Hello World!"u8.ToArray();
    private static readonly byte[] VectorSignature = Convert.FromHexString(
        "6834284b6b24c3204eb2fea824d82f88883a3d95e8b4a21b8c0ded553d17d17d" +
        "df9a8a7104b1258f30bed3787e6cb896fca78c58f8e03b5f18f14951a87d9a08");

    // The same key's signature of the vector without salt: authentic, but of other data than a salted put.
    private static readonly byte[] VectorSignatureWithoutSalt = Convert.FromHexString(
        "305ac8aeb6c9c151fa120f120ea2cfb923564e11552d06a5d856091e5e853cff" +
        "1260d3f39e4999684aa92eb73ffd136e6f4f3ecbfda0ce53a1608ecd7ae21f01");

    private static readonly NodeId VectorTarget = Bep44.MutableTarget(VectorKey, VectorSalt);

    private readonly DhtNode _node = new(new DhtOptions { Port = 0, ListenAddress = IPAddress.Loopback });
    private readonly ScriptedPeer _peer = new();
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));
    private readonly Ed25519KeyPair _keys = Ed25519KeyPair.FromSeed(Enumerable.Range(1, Ed25519KeyPair.SeedSize).Select(i => (byte)i).ToArray());

    public Task InitializeAsync() => _node.StartAsync();

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _peer.Dispose();
        _timeout.Dispose();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ImmutablePut_WithoutAValidToken_Gets203AndGetFindsNothing(bool sendsAToken)
    {
        var target = Bep44.ImmutableTarget(VectorValue);

        var reply = await PutImmutable(sendsAToken ? "nope"u8.ToArray() : null, VectorValue);

        AssertError(KrpcErrorCode.Protocol, reply);
        AssertNothingHeld(await Get(target));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task MutablePut_WithoutAValidToken_Gets203AndGetFindsNothing(bool sendsAToken)
    {
        var reply = await PutMutable(sendsAToken ? "nope"u8.ToArray() : null, VectorKey, VectorSalt, 1, VectorValue, VectorSignature);

        AssertError(KrpcErrorCode.Protocol, reply);
        AssertNothingHeld(await Get(VectorTarget));
    }

    [Fact]
    public async Task MutablePut_SignedOverOtherData_Gets206AndNothingIsStored()
    {
        var token = await TokenFor(VectorTarget);

        var forged = await PutMutable(token, VectorKey, VectorSalt, 1, VectorValue, VectorSignatureWithoutSalt);

        AssertError(KrpcErrorCode.InvalidSignature, forged);
        AssertNothingHeld(await Get(VectorTarget));
        AssertNothingHeld(await Get(Bep44.MutableTarget(VectorKey, [])));

        // The same put with the signature of exactly these bytes is accepted: only the signature was wrong.
        Assert.Equal(KrpcMessageKind.Response, (await PutMutable(token, VectorKey, VectorSalt, 1, VectorValue, VectorSignature)).Kind);
        Assert.Equal(VectorValue, (await Get(VectorTarget)).Value.ToArray());
    }

    [Fact]
    public async Task MutablePut_WithASaltOver64Bytes_Gets207AndNothingIsStored()
    {
        var salt = Enumerable.Repeat((byte)'s', Bep44.MaxSaltSize + 1).ToArray();
        var target = Bep44.MutableTarget(_keys.PublicKey.Span, salt);
        var token = await TokenFor(target);

        var reply = await PutMutable(token, _keys.PublicKey.ToArray(), salt, 1, VectorValue, Bep44.Sign(_keys, salt, 1, VectorValue));

        AssertError(KrpcErrorCode.SaltTooBig, reply);
        AssertNothingHeld(await Get(target));
    }

    [Fact]
    public async Task MutablePut_WithASaltOf64Bytes_IsStored()
    {
        var salt = Enumerable.Repeat((byte)'s', Bep44.MaxSaltSize).ToArray();
        var target = Bep44.MutableTarget(_keys.PublicKey.Span, salt);
        var token = await TokenFor(target);

        var reply = await PutMutable(token, _keys.PublicKey.ToArray(), salt, 1, VectorValue, Bep44.Sign(_keys, salt, 1, VectorValue));

        Assert.Equal(KrpcMessageKind.Response, reply.Kind);
        Assert.Equal(VectorValue, (await Get(target)).Value.ToArray());
    }

    [Theory]
    [InlineData(4)] // lower than held
    [InlineData(5)] // equal to held, with a different value
    public async Task MutablePut_OfAnotherValueAtASeqNotAboveTheHeldOne_Gets302AndTheHeldItemIsUnchanged(long seq)
    {
        var target = Bep44.MutableTarget(_keys.PublicKey.Span, []);
        var token = await TokenFor(target);
        var held = Encoded("newer");
        var heldSignature = Bep44.Sign(_keys, [], 5, held);
        Assert.Equal(KrpcMessageKind.Response, (await PutMutable(token, _keys.PublicKey.ToArray(), [], 5, held, heldSignature)).Kind);

        var older = Encoded("older");
        var reply = await PutMutable(token, _keys.PublicKey.ToArray(), [], seq, older, Bep44.Sign(_keys, [], seq, older));

        AssertError(KrpcErrorCode.SequenceTooOld, reply);
        var after = await Get(target);
        Assert.Equal(5, after.Seq);
        Assert.Equal(held, after.Value.ToArray());
        Assert.Equal(heldSignature, after.Signature.ToArray());
        Assert.Equal(_keys.PublicKey.ToArray(), after.Key.ToArray());
    }

    [Fact]
    public async Task MutablePut_WithACasOtherThanTheHeldSeq_Gets301AndTheHeldItemIsUnchanged()
    {
        var target = Bep44.MutableTarget(_keys.PublicKey.Span, []);
        var token = await TokenFor(target);
        var first = Encoded("first");
        Assert.Equal(KrpcMessageKind.Response, (await PutMutable(token, _keys.PublicKey.ToArray(), [], 1, first, Bep44.Sign(_keys, [], 1, first))).Kind);

        var second = Encoded("second");
        var secondSignature = Bep44.Sign(_keys, [], 2, second);
        var mismatch = await PutMutable(token, _keys.PublicKey.ToArray(), [], 2, second, secondSignature, cas: 7);

        AssertError(KrpcErrorCode.CasMismatch, mismatch);
        var after = await Get(target);
        Assert.Equal(1, after.Seq);
        Assert.Equal(first, after.Value.ToArray());

        // With the cas the requester read (the held seq) the same put goes through.
        Assert.Equal(KrpcMessageKind.Response, (await PutMutable(token, _keys.PublicKey.ToArray(), [], 2, second, secondSignature, cas: 1)).Kind);
        Assert.Equal(2, (await Get(target)).Seq);
    }

    [Fact]
    public async Task ImmutablePut_OfAValueOver1000BytesEncoded_Gets205AndNothingIsStored()
    {
        var value = EncodedOfLength(Bep44.MaxValueSize + 1);
        var target = Bep44.ImmutableTarget(value);
        var token = await TokenFor(target);

        var reply = await PutImmutable(token, value);

        AssertError(KrpcErrorCode.ValueTooBig, reply);
        AssertNothingHeld(await Get(target));
    }

    [Fact]
    public async Task ImmutablePut_OfExactly1000BytesEncoded_IsStored()
    {
        var value = EncodedOfLength(Bep44.MaxValueSize);
        var target = Bep44.ImmutableTarget(value);
        var token = await TokenFor(target);

        Assert.Equal(KrpcMessageKind.Response, (await PutImmutable(token, value)).Kind);
        Assert.Equal(value, (await Get(target)).Value.ToArray());
    }

    [Fact]
    public async Task MutablePut_OfAValueOver1000BytesEncoded_Gets205AndNothingIsStored()
    {
        var value = EncodedOfLength(Bep44.MaxValueSize + 1);
        var target = Bep44.MutableTarget(_keys.PublicKey.Span, []);
        var token = await TokenFor(target);

        var reply = await PutMutable(token, _keys.PublicKey.ToArray(), [], 1, value, Bep44.Sign(_keys, [], 1, value));

        AssertError(KrpcErrorCode.ValueTooBig, reply);
        AssertNothingHeld(await Get(target));
    }

    [Fact]
    public async Task ImmutablePut_IsServedUnderTheSha1OfItsValue_WithoutMutableFields()
    {
        var target = Bep44.ImmutableTarget(VectorValue);
        var token = await TokenFor(target);

        Assert.Equal(KrpcMessageKind.Response, (await PutImmutable(token, VectorValue)).Kind);

        var reply = await Get(target);
        Assert.Equal(VectorValue, reply.Value.ToArray());
        Assert.Equal(target, NodeId.Sha1(reply.Value.Span));
        Assert.False(reply.Has(KrpcFields.Key));
        Assert.False(reply.Has(KrpcFields.Seq));
        Assert.False(reply.Has(KrpcFields.Signature));
    }

    [Fact]
    public async Task MutableGet_OfASaltedItem_AnswersKSeqSigAndVButNeverTheSalt()
    {
        var token = await TokenFor(VectorTarget);
        Assert.Equal(KrpcMessageKind.Response, (await PutMutable(token, VectorKey, VectorSalt, 1, VectorValue, VectorSignature)).Kind);

        var (datagram, result, reply) = await _peer.ExchangeRawAsync(_node.LocalEndPoint, GetQuery(VectorTarget, seq: null), _timeout.Token);

        Assert.True(result.IsOk);
        Assert.Equal(KrpcMessageKind.Response, reply.Kind);
        Assert.Equal(VectorKey, reply.Key.ToArray());
        Assert.Equal(1, reply.Seq);
        Assert.Equal(VectorSignature, reply.Signature.ToArray());
        Assert.Equal(VectorValue, reply.Value.ToArray());
        Assert.False(reply.Has(KrpcFields.Salt));
        Assert.DoesNotContain("4:salt", Encoding.Latin1.GetString(datagram), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)] // the held seq
    [InlineData(2)] // newer than held
    public async Task MutableGet_WithASeqAtOrAboveTheHeldOne_OmitsVAndSigButAnswersSeq(long requesterSeq)
    {
        var token = await TokenFor(VectorTarget);
        Assert.Equal(KrpcMessageKind.Response, (await PutMutable(token, VectorKey, VectorSalt, 1, VectorValue, VectorSignature)).Kind);

        var reply = await Get(VectorTarget, requesterSeq);

        Assert.Equal(KrpcMessageKind.Response, reply.Kind);
        Assert.True(reply.Has(KrpcFields.Seq));
        Assert.Equal(1, reply.Seq);
        Assert.Equal(VectorKey, reply.Key.ToArray());
        Assert.False(reply.Has(KrpcFields.Value));
        Assert.False(reply.Has(KrpcFields.Signature));
    }

    [Fact]
    public async Task MutableGet_WithASeqBelowTheHeldOne_AnswersVAndSig()
    {
        var token = await TokenFor(VectorTarget);
        Assert.Equal(KrpcMessageKind.Response, (await PutMutable(token, VectorKey, VectorSalt, 1, VectorValue, VectorSignature)).Kind);

        var reply = await Get(VectorTarget, seq: 0);

        Assert.Equal(1, reply.Seq);
        Assert.Equal(VectorValue, reply.Value.ToArray());
        Assert.Equal(VectorSignature, reply.Signature.ToArray());
    }

    // ---- Helpers -------------------------------------------------------------------------------------

    private async Task<KrpcMessage> Exchange(byte[] datagram)
    {
        var (result, reply) = await _peer.ExchangeAsync(_node.LocalEndPoint, datagram, _timeout.Token);
        Assert.True(result.IsOk, result.Reason);
        return reply;
    }

    private byte[] GetQuery(NodeId target, long? seq) => _peer.Query(KrpcMethod.Get, m =>
    {
        m.Target = target;
        m.Fields |= KrpcFields.Target;
        if (seq is { } s)
        {
            m.Seq = s;
            m.Fields |= KrpcFields.Seq;
        }
    });

    private Task<KrpcMessage> Get(NodeId target, long? seq = null) => Exchange(GetQuery(target, seq));

    private async Task<byte[]> TokenFor(NodeId target)
    {
        var reply = await Get(target);
        Assert.True(reply.Has(KrpcFields.Token));
        return reply.Token.ToArray();
    }

    private Task<KrpcMessage> PutImmutable(byte[]? token, byte[] encodedValue) => Exchange(_peer.Query(KrpcMethod.Put, m =>
    {
        m.Value = encodedValue;
        m.Fields |= KrpcFields.Value;
        if (token is not null)
        {
            m.Token = token;
            m.Fields |= KrpcFields.Token;
        }
    }));

    private Task<KrpcMessage> PutMutable(
        byte[]? token, byte[] key, byte[] salt, long seq, byte[] encodedValue, byte[] signature, long? cas = null) =>
        Exchange(_peer.Query(KrpcMethod.Put, m =>
        {
            m.Key = key;
            m.Seq = seq;
            m.Value = encodedValue;
            m.Signature = signature;
            m.Fields |= KrpcFields.Key | KrpcFields.Seq | KrpcFields.Value | KrpcFields.Signature;
            if (token is not null)
            {
                m.Token = token;
                m.Fields |= KrpcFields.Token;
            }

            if (salt.Length > 0)
            {
                m.Salt = salt;
                m.Fields |= KrpcFields.Salt;
            }

            if (cas is { } expected)
            {
                m.Cas = expected;
                m.Fields |= KrpcFields.Cas;
            }
        }));

    private static void AssertError(int code, KrpcMessage reply)
    {
        Assert.Equal(KrpcMessageKind.Error, reply.Kind);
        Assert.Equal(code, reply.ErrorCode);
        Assert.Equal("aa"u8.ToArray(), reply.TransactionId.ToArray());
    }

    private static void AssertNothingHeld(KrpcMessage reply)
    {
        Assert.Equal(KrpcMessageKind.Response, reply.Kind);
        Assert.False(reply.Has(KrpcFields.Value));
        Assert.False(reply.Has(KrpcFields.Key));
        Assert.False(reply.Has(KrpcFields.Seq));
        Assert.False(reply.Has(KrpcFields.Signature));
    }

    private static byte[] Encoded(string text) => Encoding.ASCII.GetBytes($"{text.Length}:{text}");

    /// <summary>A bencoded byte string of exactly <paramref name="encodedLength"/> bytes, prefix included.</summary>
    private static byte[] EncodedOfLength(int encodedLength)
    {
        // Lengths here have three digits: "NNN:" is four bytes.
        int payload = encodedLength - 4;
        Assert.InRange(payload, 100, 999);
        return Encoded(new string('x', payload));
    }
}
