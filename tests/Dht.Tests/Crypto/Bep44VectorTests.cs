using System.Buffers;
using System.Text;
using Dht.Crypto;
using Dht.Protocol;

namespace Dht.Tests.Crypto;

// The test vectors at the end of BEP 44. Its "private key" is the 64-byte expanded form (SHA-512 of a
// seed, clamped) that the seed cannot be recovered from, so the vectors are checked by verification;
// signing is checked against RFC 8032's vectors in Ed25519KeyPairTests.
public sealed class Bep44VectorTests
{
    private static readonly byte[] Value = Encoding.ASCII.GetBytes("12:Hello World!");
    private static readonly byte[] Salt = Encoding.ASCII.GetBytes("foobar");
    private static readonly byte[] PublicKey = Convert.FromHexString("77ff84905a91936367c01360803104f92432fcd904a43511876df5cdf3e7e548");

    private static readonly byte[] SignatureWithoutSalt = Convert.FromHexString(
        "305ac8aeb6c9c151fa120f120ea2cfb923564e11552d06a5d856091e5e853cff" +
        "1260d3f39e4999684aa92eb73ffd136e6f4f3ecbfda0ce53a1608ecd7ae21f01");

    private static readonly byte[] SignatureWithSalt = Convert.FromHexString(
        "6834284b6b24c3204eb2fea824d82f88883a3d95e8b4a21b8c0ded553d17d17d" +
        "df9a8a7104b1258f30bed3787e6cb896fca78c58f8e03b5f18f14951a87d9a08");

    [Fact]
    public void SignedBuffer_WithoutSalt_IsSeqThenValue()
    {
        Assert.Equal("3:seqi1e1:v12:Hello World!", Encoding.ASCII.GetString(Bep44.SignedBuffer([], 1, Value)));
    }

    [Fact]
    public void SignedBuffer_WithSalt_PrependsTheSalt()
    {
        Assert.Equal("4:salt6:foobar3:seqi1e1:v12:Hello World!", Encoding.ASCII.GetString(Bep44.SignedBuffer(Salt, 1, Value)));
    }

    [Fact]
    public void WriteSignedBuffer_ReturnsTheBytesWrittenAndAppends()
    {
        var output = new ArrayBufferWriter<byte>();
        output.Write("xx"u8);

        int written = Bep44.WriteSignedBuffer(Salt, -42, Value, output);

        Assert.Equal("xx4:salt6:foobar3:seqi-42e1:v12:Hello World!", Encoding.ASCII.GetString(output.WrittenSpan));
        Assert.Equal(output.WrittenCount - 2, written);
    }

    [Fact]
    public void MutableTarget_WithoutSalt_MatchesTheVector()
    {
        Assert.Equal(NodeId.Parse("4a533d47ec9c7d95b1ad75f576cffc641853b750"), Bep44.MutableTarget(PublicKey, []));
    }

    [Fact]
    public void MutableTarget_WithSalt_MatchesTheVector()
    {
        Assert.Equal(NodeId.Parse("411eba73b6f087ca51a3795d9c8c938d365e32c1"), Bep44.MutableTarget(PublicKey, Salt));
    }

    [Fact]
    public void ImmutableTarget_MatchesTheVector()
    {
        Assert.Equal(NodeId.Parse("e5f96f6f38320f0f33959cb4d3d656452117aadb"), Bep44.ImmutableTarget(Value));
    }

    [Fact]
    public void Verify_VectorWithoutSalt_IsValid()
    {
        Assert.True(Bep44.Verify(PublicKey, [], 1, Value, SignatureWithoutSalt));
        Assert.True(Ed25519Verifier.Verify(PublicKey, "3:seqi1e1:v12:Hello World!"u8, SignatureWithoutSalt));
    }

    [Fact]
    public void Verify_VectorWithSalt_IsValid()
    {
        Assert.True(Bep44.Verify(PublicKey, Salt, 1, Value, SignatureWithSalt));
    }

    [Fact]
    public void Verify_VectorSignatureWithOtherSeq_IsInvalid()
    {
        Assert.False(Bep44.Verify(PublicKey, [], 2, Value, SignatureWithoutSalt));
    }

    [Fact]
    public void Verify_VectorSignatureWithOtherSalt_IsInvalid()
    {
        Assert.False(Bep44.Verify(PublicKey, [], 1, Value, SignatureWithSalt));
        Assert.False(Bep44.Verify(PublicKey, "foobaz"u8, 1, Value, SignatureWithSalt));
    }

    [Fact]
    public void Verify_VectorWithOneSignatureBitFlipped_IsInvalid()
    {
        var signature = (byte[])SignatureWithoutSalt.Clone();
        signature[10] ^= 0x01;

        Assert.False(Bep44.Verify(PublicKey, [], 1, Value, signature));
    }

    [Fact]
    public void Verify_VectorWithOtherValue_IsInvalid()
    {
        Assert.False(Bep44.Verify(PublicKey, [], 1, "12:Hello World?"u8, SignatureWithoutSalt));
    }

    [Fact]
    public void SignThenVerify_WithGeneratedKey_RoundTrips()
    {
        var keyPair = Ed25519KeyPair.Generate();
        var signature = Bep44.Sign(keyPair, Salt, 7, Value);

        Assert.True(Bep44.Verify(keyPair.PublicKey.Span, Salt, 7, Value, signature));
        Assert.False(Bep44.Verify(keyPair.PublicKey.Span, Salt, 8, Value, signature));
        Assert.False(Bep44.Verify(PublicKey, Salt, 7, Value, signature));
    }
}
