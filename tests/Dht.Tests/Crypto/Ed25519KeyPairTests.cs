using Dht.Crypto;

namespace Dht.Tests.Crypto;

public sealed class Ed25519KeyPairTests
{
    // RFC 8032 section 7.1, TEST 1 (empty message) and TEST 2 (one byte).
    private static readonly byte[] Rfc8032Seed1 = Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    private static readonly byte[] Rfc8032PublicKey1 = Convert.FromHexString("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    private static readonly byte[] Rfc8032Signature1 = Convert.FromHexString(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");

    private static readonly byte[] Rfc8032Seed2 = Convert.FromHexString("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
    private static readonly byte[] Rfc8032PublicKey2 = Convert.FromHexString("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
    private static readonly byte[] Rfc8032Signature2 = Convert.FromHexString(
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");

    [Fact]
    public void FromSeed_Rfc8032Vector1_DerivesThePublicKeyAndSignature()
    {
        var keyPair = Ed25519KeyPair.FromSeed(Rfc8032Seed1);

        Assert.Equal(Rfc8032PublicKey1, keyPair.PublicKey.ToArray());
        Assert.Equal(Rfc8032Signature1, keyPair.Sign([]));
    }

    [Fact]
    public void FromSeed_Rfc8032Vector2_DerivesThePublicKeyAndSignature()
    {
        var keyPair = Ed25519KeyPair.FromSeed(Rfc8032Seed2);

        Assert.Equal(Rfc8032PublicKey2, keyPair.PublicKey.ToArray());
        Assert.Equal(Rfc8032Signature2, keyPair.Sign([0x72]));
        Assert.True(Ed25519Verifier.Verify(Rfc8032PublicKey2, [0x72], Rfc8032Signature2));
    }

    [Fact]
    public void FromSeed_WrongLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => Ed25519KeyPair.FromSeed(new byte[64]));
        Assert.Throws<ArgumentException>(() => Ed25519KeyPair.FromSeed(new byte[31]));
    }

    [Fact]
    public void Generate_GivesDistinctKeysThatSignAndVerify()
    {
        var a = Ed25519KeyPair.Generate();
        var b = Ed25519KeyPair.Generate();
        var message = "a message"u8.ToArray();

        Assert.False(a.PublicKey.Span.SequenceEqual(b.PublicKey.Span));
        Assert.True(Ed25519Verifier.Verify(a.PublicKey.Span, message, a.Sign(message)));
        Assert.False(Ed25519Verifier.Verify(b.PublicKey.Span, message, a.Sign(message)));
    }

    [Fact]
    public void ExportSeed_ThenFromSeed_GivesTheSameKeyPair()
    {
        var original = Ed25519KeyPair.Generate();
        var copy = Ed25519KeyPair.FromSeed(original.ExportSeed());

        Assert.Equal(original.PublicKey.ToArray(), copy.PublicKey.ToArray());
        Assert.Equal(original.Sign("m"u8), copy.Sign("m"u8));
    }

    [Fact]
    public void ExportSeed_ReturnsACopy()
    {
        var keyPair = Ed25519KeyPair.FromSeed(Rfc8032Seed1);
        keyPair.ExportSeed()[0] ^= 0xFF;

        Assert.Equal(Rfc8032Seed1, keyPair.ExportSeed());
    }

    [Fact]
    public void SaveThenLoad_RoundTripsTheKeyPair()
    {
        using var directory = new TemporaryDirectory();
        var path = Path.Combine(directory.Path, "node.key");
        var original = Ed25519KeyPair.FromSeed(Rfc8032Seed1);

        original.Save(path);
        var loaded = Ed25519KeyPair.Load(path);

        Assert.Equal(Rfc8032PublicKey1, loaded.PublicKey.ToArray());
        Assert.Equal(Convert.ToHexStringLower(Rfc8032Seed1), File.ReadAllText(path).Trim());
    }

    [Fact]
    public void Save_OnUnix_CreatesAnOwnerOnlyFile()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var directory = new TemporaryDirectory();
        var path = Path.Combine(directory.Path, "node.key");

        Ed25519KeyPair.Generate().Save(path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Save_OverAWorldReadableFile_MakesItOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var directory = new TemporaryDirectory();
        var path = Path.Combine(directory.Path, "node.key");
        File.WriteAllText(path, "old");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        Ed25519KeyPair.FromSeed(Rfc8032Seed2).Save(path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(Rfc8032PublicKey2, Ed25519KeyPair.Load(path).PublicKey.ToArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("not hex at all")]
    [InlineData("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f")]
    [InlineData("zz61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")]
    public void Load_MalformedFile_ThrowsFormatException(string content)
    {
        using var directory = new TemporaryDirectory();
        var path = Path.Combine(directory.Path, "node.key");
        File.WriteAllText(path, content);

        Assert.Throws<FormatException>(() => Ed25519KeyPair.Load(path));
    }
}
