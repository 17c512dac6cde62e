// BEP 44's byte-level rules: what is signed, and which target an item is stored under.
//
// The signed buffer is built from the verbatim encoded "v" (BEP 44: decoding and re-encoding is not an
// identity), never from a re-serialised value. An empty salt is the same as no salt, in the buffer and in
// the target, as the BEP says.
using System.Buffers;
using System.Security.Cryptography;
using Dht.Protocol;
using Dht.Protocol.Bencode;

namespace Dht.Crypto;

/// <summary>Signed buffers and targets of BEP 44 items.</summary>
internal static class Bep44
{
    /// <summary>Largest encoded <c>v</c> stored or sent, in bytes (BEP 44: larger puts MAY be rejected, error 205).</summary>
    public const int MaxValueSize = 1000;

    /// <summary>Largest salt, in bytes (BEP 44: MUST NOT be longer; error 207).</summary>
    public const int MaxSaltSize = 64;

    /// <summary>Size of <c>k</c>, an ed25519 public key.</summary>
    public const int PublicKeySize = Ed25519KeyPair.PublicKeySize;

    /// <summary>Size of <c>sig</c>, an ed25519 signature.</summary>
    public const int SignatureSize = Ed25519KeyPair.SignatureSize;

    /// <summary>
    /// Writes <c>[4:salt&lt;len&gt;:&lt;salt&gt;]3:seqi&lt;seq&gt;e1:v&lt;encoded v&gt;</c>, the buffer a mutable item's
    /// signature covers. Returns the number of bytes written.
    /// </summary>
    public static int WriteSignedBuffer(ReadOnlySpan<byte> salt, long seq, ReadOnlySpan<byte> encodedValue, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var counting = new CountingBufferWriter(output);
        var writer = new BencodeWriter(counting);
        if (!salt.IsEmpty)
        {
            writer.WriteKey("salt"u8);
            writer.WriteString(salt);
        }

        writer.WriteKey("seq"u8);
        writer.WriteInteger(seq);
        writer.WriteKey("v"u8);
        writer.WriteRaw(encodedValue);
        return counting.Written;
    }

    /// <summary>The signed buffer as a new array (tests, and signing outside the packet path).</summary>
    public static byte[] SignedBuffer(ReadOnlySpan<byte> salt, long seq, ReadOnlySpan<byte> encodedValue)
    {
        var buffer = new ArrayBufferWriter<byte>(encodedValue.Length + salt.Length + 40);
        WriteSignedBuffer(salt, seq, encodedValue, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The target of an immutable item: SHA-1 of its encoded <c>v</c>.</summary>
    public static NodeId ImmutableTarget(ReadOnlySpan<byte> encodedValue) => NodeId.Sha1(encodedValue);

    /// <summary>The target of a mutable item: SHA-1 of <c>k</c> followed by the salt (if any).</summary>
    public static NodeId MutableTarget(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> salt)
    {
        using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        sha1.AppendData(publicKey);
        sha1.AppendData(salt);
        Span<byte> hash = stackalloc byte[NodeId.Size];
        sha1.GetHashAndReset(hash);
        return new NodeId(hash);
    }

    /// <summary>Signs a mutable item's value with <paramref name="keyPair"/>.</summary>
    public static byte[] Sign(Ed25519KeyPair keyPair, ReadOnlySpan<byte> salt, long seq, ReadOnlySpan<byte> encodedValue)
    {
        ArgumentNullException.ThrowIfNull(keyPair);
        return keyPair.Sign(SignedBuffer(salt, seq, encodedValue));
    }

    /// <summary>True when <paramref name="signature"/> is <paramref name="publicKey"/>'s signature of the item; never throws.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> salt, long seq, ReadOnlySpan<byte> encodedValue, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeySize || signature.Length != SignatureSize)
        {
            return false;
        }

        return Ed25519Verifier.Verify(publicKey, SignedBuffer(salt, seq, encodedValue), signature);
    }
}
