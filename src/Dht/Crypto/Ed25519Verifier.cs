// Verification of ed25519 signatures from the network. Every argument is remote input, so malformed
// lengths and points are answers ("not valid"), never exceptions.
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace Dht.Crypto;

/// <summary>Checks ed25519 signatures (RFC 8032, as BEP 44 uses them).</summary>
internal static class Ed25519Verifier
{
    /// <summary>
    /// True when <paramref name="signature"/> is a valid signature of <paramref name="message"/> by
    /// <paramref name="publicKey"/>; false for anything else, including wrong lengths.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != Ed25519KeyPair.PublicKeySize || signature.Length != Ed25519KeyPair.SignatureSize)
        {
            return false;
        }

        // With the lengths checked, BouncyCastle answers false for a point or scalar it cannot decode (a
        // non-canonical R or S, a public key off the curve); it throws only for a bad context, and we pass none.
        return Ed25519.Verify(signature, publicKey, message);
    }
}
