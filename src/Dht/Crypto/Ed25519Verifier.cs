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

        // BouncyCastle 1.8 takes arrays only; the copies are small next to the curve arithmetic.
        var key = publicKey.ToArray();
        var sig = signature.ToArray();
        var msg = message.ToArray();
        try
        {
            return Ed25519.Verify(sig, 0, key, 0, msg, 0, msg.Length);
        }
        catch (ArgumentException)
        {
            // Defensive: a point or scalar that the library refuses to decode is simply not a valid signature.
            return false;
        }
    }
}
