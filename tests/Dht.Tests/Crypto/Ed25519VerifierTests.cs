using Dht.Crypto;

namespace Dht.Tests.Crypto;

public sealed class Ed25519VerifierTests
{
    private static readonly Ed25519KeyPair Key = Ed25519KeyPair.FromSeed(new byte[32]);
    private static readonly byte[] Message = "message"u8.ToArray();

    [Fact]
    public void Verify_OwnSignature_IsTrue()
    {
        Assert.True(Ed25519Verifier.Verify(Key.PublicKey.Span, Message, Key.Sign(Message)));
    }

    [Theory]
    [InlineData(0, 64)]
    [InlineData(31, 64)]
    [InlineData(33, 64)]
    [InlineData(32, 0)]
    [InlineData(32, 63)]
    [InlineData(32, 65)]
    public void Verify_WrongLengths_IsFalse(int keyLength, int signatureLength)
    {
        Assert.False(Ed25519Verifier.Verify(new byte[keyLength], Message, new byte[signatureLength]));
    }

    [Fact]
    public void Verify_KeyThatIsNotACurvePoint_IsFalse()
    {
        // y = 2^255 - 1 is not the encoding of any point on the curve.
        var key = Enumerable.Repeat((byte)0xFF, 32).ToArray();

        Assert.False(Ed25519Verifier.Verify(key, Message, Key.Sign(Message)));
    }

    [Fact]
    public void Verify_SignatureWithScalarOutOfRange_IsFalse()
    {
        var signature = Key.Sign(Message);
        signature.AsSpan(32).Fill(0xFF); // S >= the group order must be refused (RFC 8032 5.1.7)

        Assert.False(Ed25519Verifier.Verify(Key.PublicKey.Span, Message, signature));
    }

    [Fact]
    public void Verify_AllZeroInput_IsFalse()
    {
        Assert.False(Ed25519Verifier.Verify(new byte[32], Message, new byte[64]));
    }
}
