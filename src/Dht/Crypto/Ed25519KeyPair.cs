// An ed25519 signing identity for BEP 44 mutable items.
//
// The private half is kept as the 32-byte RFC 8032 seed, the form BouncyCastle signs with and the only
// form worth persisting: libsodium and ref10 also use a 64-byte "expanded" key (SHA-512 of the seed,
// clamped), as printed in BEP 44's test vectors, but the seed cannot be recovered from it, so such keys
// cannot be imported here. Signatures are deterministic (RFC 8032), so no random source is needed to sign.
using System.Security.Cryptography;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace Dht.Crypto;

/// <summary>An ed25519 key pair: signs BEP 44 mutable items that anyone can verify with <see cref="PublicKey"/>.</summary>
public sealed class Ed25519KeyPair
{
    /// <summary>Size of the private seed in bytes.</summary>
    public const int SeedSize = 32;

    /// <summary>Size of a public key in bytes (BEP 44 <c>k</c>).</summary>
    public const int PublicKeySize = 32;

    /// <summary>Size of a signature in bytes (BEP 44 <c>sig</c>).</summary>
    public const int SignatureSize = 64;

    private readonly byte[] _seed;
    private readonly byte[] _publicKey;

    private Ed25519KeyPair(byte[] seed)
    {
        _seed = seed;
        _publicKey = new byte[PublicKeySize];
        Ed25519.GeneratePublicKey(_seed, _publicKey);
    }

    /// <summary>The 32-byte public key.</summary>
    public ReadOnlyMemory<byte> PublicKey => _publicKey;

    /// <summary>A new key pair from the operating system's cryptographic random generator.</summary>
    public static Ed25519KeyPair Generate()
    {
        var seed = new byte[SeedSize];
        RandomNumberGenerator.Fill(seed);
        return new Ed25519KeyPair(seed);
    }

    /// <summary>The key pair of a 32-byte RFC 8032 seed (not a 64-byte expanded key).</summary>
    public static Ed25519KeyPair FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != SeedSize)
        {
            throw new ArgumentException($"An ed25519 seed is {SeedSize} bytes, got {seed.Length}.", nameof(seed));
        }

        return new Ed25519KeyPair(seed.ToArray());
    }

    /// <summary>A copy of the 32-byte private seed; whoever holds it can sign as this key.</summary>
    public byte[] ExportSeed() => (byte[])_seed.Clone();

    /// <summary>The 64-byte signature of <paramref name="message"/>.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        var signature = new byte[SignatureSize];
        // Spans, not arrays: a byte[] second argument would pick the Ed25519ctx overload (a context, not the key).
        Ed25519.Sign(_seed.AsSpan(), _publicKey.AsSpan(), message, signature);
        return signature;
    }

    /// <summary>
    /// Writes the seed as 64 hexadecimal digits to <paramref name="path"/>, replacing any file there. On Unix
    /// the file is readable and writable by its owner only, from before the secret is written to it.
    /// </summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);

        // Written beside the target and moved over it: the secret never lands in a file that already had
        // wider permissions, and a crash mid-write leaves the old key intact rather than half a new one.
        var temporary = path + ".tmp";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(Convert.ToHexStringLower(_seed));
            writer.Write('\n');
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads a key pair written by <see cref="Save"/>; throws <see cref="FormatException"/> if the file holds anything else.</summary>
    public static Ed25519KeyPair Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var text = File.ReadAllText(path).Trim();
        if (text.Length != SeedSize * 2)
        {
            throw new FormatException($"A key file holds {SeedSize * 2} hexadecimal digits.");
        }

        var seed = new byte[SeedSize];
        if (Convert.FromHexString(text, seed, out _, out int written) != System.Buffers.OperationStatus.Done || written != SeedSize)
        {
            throw new FormatException($"A key file holds {SeedSize * 2} hexadecimal digits.");
        }

        return new Ed25519KeyPair(seed);
    }
}
