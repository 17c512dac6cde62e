using System.Text;
using Dht.Crypto;
using Dht.Protocol;
using Dht.Storage;

namespace Dht.Tests.Storage;

public sealed class ItemPolicyTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(2);
    private static readonly NetEndPoint Alice = NetEndPoint.FromIPv4(0x0A000001, 6881);
    private static readonly NetEndPoint Bob = NetEndPoint.FromIPv4(0x0A000002, 6881);
    private static readonly Ed25519KeyPair Key = Ed25519KeyPair.FromSeed(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private static readonly Ed25519KeyPair OtherKey = Ed25519KeyPair.FromSeed(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray());
    private static readonly byte[] Salt = "my-key"u8.ToArray();

    private static ItemPolicy Policy(StorageLimits? limits = null) => new(new InMemoryItemStore(), NodeId.Zero, limits);

    private static byte[] Encoded(string text) => Encoding.ASCII.GetBytes($"{text.Length}:{text}");

    private static StoreResult PutSigned(
        ItemPolicy policy, long seq, byte[] value, long? cas = null, byte[]? salt = null, NetEndPoint? source = null,
        DateTimeOffset? now = null, Ed25519KeyPair? key = null)
    {
        key ??= Key;
        salt ??= Salt;
        var signature = Bep44.Sign(key, salt, seq, value);
        return policy.PutMutable(key.PublicKey.Span, salt, seq, value, signature, cas, source ?? Alice, now ?? Start);
    }

    private static StoredItem Get(ItemPolicy policy, NodeId target, DateTimeOffset now)
    {
        Assert.True(policy.TryGet(target, now, out var item));
        return item;
    }

    private static NodeId MutableTarget(Ed25519KeyPair? key = null, byte[]? salt = null) =>
        Bep44.MutableTarget((key ?? Key).PublicKey.Span, salt ?? Salt);

    [Fact]
    public void PutImmutable_IsStoredUnderTheHashOfTheValueForTwoHours()
    {
        var policy = Policy();
        var value = Encoded("Hello World!");

        Assert.Equal(StoreOutcome.Stored, policy.PutImmutable(value, Alice, Start).Outcome);

        var item = Get(policy, NodeId.Parse("e5f96f6f38320f0f33959cb4d3d656452117aadb"), Start);
        Assert.False(item.IsMutable);
        Assert.Equal(value, item.Value.ToArray());
        Assert.Equal(Start + Lifetime, item.ExpiresAt);
        Assert.False(policy.TryGet(item.Target, Start + Lifetime, out _));
    }

    [Fact]
    public void PutImmutable_Again_RefreshesTheLifetime()
    {
        var policy = Policy();
        var value = Encoded("x");
        policy.PutImmutable(value, Alice, Start);

        Assert.Equal(StoreOutcome.Refreshed, policy.PutImmutable(value, Bob, Start.AddHours(1)).Outcome);

        var item = Get(policy, Bep44.ImmutableTarget(value), Start.AddHours(2.5));
        Assert.Equal(Start.AddHours(3), item.ExpiresAt);
        Assert.Equal(Start.AddHours(1), item.StoredAt);
    }

    [Fact]
    public void PutImmutable_LargerThanMaxValueSize_IsRejected()
    {
        var policy = Policy();

        // "996:" and 996 bytes is exactly 1000 bytes encoded.
        Assert.Equal(StoreOutcome.RejectedTooLarge, policy.PutImmutable(Encoded(new string('a', 997)), Alice, Start).Outcome);
        Assert.Equal(StoreOutcome.Stored, policy.PutImmutable(Encoded(new string('a', 996)), Alice, Start).Outcome);
    }

    [Fact]
    public void PutMutable_BepVector_IsStoredUnderTheVectorTarget()
    {
        var policy = Policy();
        var publicKey = Convert.FromHexString("77ff84905a91936367c01360803104f92432fcd904a43511876df5cdf3e7e548");
        var signature = Convert.FromHexString(
            "6834284b6b24c3204eb2fea824d82f88883a3d95e8b4a21b8c0ded553d17d17d" +
            "df9a8a7104b1258f30bed3787e6cb896fca78c58f8e03b5f18f14951a87d9a08");

        var outcome = policy.PutMutable(publicKey, "foobar"u8, 1, Encoded("Hello World!"), signature, cas: null, Alice, Start);

        Assert.Equal(StoreOutcome.Stored, outcome.Outcome);
        var item = Get(policy, NodeId.Parse("411eba73b6f087ca51a3795d9c8c938d365e32c1"), Start);
        Assert.True(item.IsMutable);
        Assert.Equal(publicKey, item.PublicKey.ToArray());
        Assert.Equal("foobar"u8.ToArray(), item.Salt.ToArray());
        Assert.Equal(signature, item.Signature.ToArray());
        Assert.Equal(1, item.Seq);
    }

    [Fact]
    public void PutMutable_ValidPut_IsStoredWithEveryField()
    {
        var policy = Policy();
        var value = Encoded("v1");

        Assert.Equal(StoreOutcome.Stored, PutSigned(policy, 1, value).Outcome);

        var item = Get(policy, MutableTarget(), Start);
        Assert.Equal(value, item.Value.ToArray());
        Assert.Equal(Key.PublicKey.ToArray(), item.PublicKey.ToArray());
        Assert.Equal(Salt, item.Salt.ToArray());
        Assert.True(Bep44.Verify(item.PublicKey.Span, item.Salt.Span, item.Seq, item.Value.Span, item.Signature.Span));
        Assert.Equal(Start + Lifetime, item.ExpiresAt);
        Assert.Equal(Alice, item.Source);
    }

    [Fact]
    public void PutMutable_BadSignature_IsRejected()
    {
        var policy = Policy();
        var value = Encoded("v1");
        var signature = Bep44.Sign(Key, Salt, 1, value);
        signature[0] ^= 1;

        Assert.Equal(StoreOutcome.RejectedInvalidSignature, policy.PutMutable(Key.PublicKey.Span, Salt, 1, value, signature, null, Alice, Start).Outcome);
        Assert.Equal(0, policy.Count);
    }

    [Fact]
    public void PutMutable_SignatureByAnotherKey_IsRejected()
    {
        var policy = Policy();
        var value = Encoded("v1");
        var signature = Bep44.Sign(OtherKey, Salt, 1, value);

        Assert.Equal(StoreOutcome.RejectedInvalidSignature, policy.PutMutable(Key.PublicKey.Span, Salt, 1, value, signature, null, Alice, Start).Outcome);
    }

    [Theory]
    [InlineData(31, 64)]
    [InlineData(32, 63)]
    [InlineData(0, 0)]
    public void PutMutable_WrongKeyOrSignatureLength_IsAnInvalidSignature(int keyLength, int signatureLength)
    {
        var policy = Policy();

        Assert.Equal(
            StoreOutcome.RejectedInvalidSignature,
            policy.PutMutable(new byte[keyLength], Salt, 1, Encoded("v"), new byte[signatureLength], null, Alice, Start).Outcome);
    }

    [Fact]
    public void PutMutable_SaltLongerThan64_IsRejected()
    {
        var policy = Policy();

        Assert.Equal(StoreOutcome.RejectedSaltTooBig, PutSigned(policy, 1, Encoded("v"), salt: new byte[65]).Outcome);
        Assert.Equal(StoreOutcome.Stored, PutSigned(policy, 1, Encoded("v"), salt: new byte[64]).Outcome);
    }

    [Fact]
    public void PutMutable_ValueLargerThanMax_IsRejected()
    {
        var policy = Policy();

        Assert.Equal(StoreOutcome.RejectedTooLarge, PutSigned(policy, 1, Encoded(new string('a', 997))).Outcome);
        Assert.Equal(StoreOutcome.Stored, PutSigned(policy, 1, Encoded(new string('a', 996))).Outcome);
    }

    [Fact]
    public void PutMutable_HigherSeq_ReplacesTheItem()
    {
        var policy = Policy();
        PutSigned(policy, 1, Encoded("v1"));

        Assert.Equal(StoreOutcome.Stored, PutSigned(policy, 2, Encoded("v2"), source: Bob).Outcome);

        var item = Get(policy, MutableTarget(), Start);
        Assert.Equal(2, item.Seq);
        Assert.Equal(Encoded("v2"), item.Value.ToArray());
    }

    [Fact]
    public void PutMutable_LowerSeq_IsRejected()
    {
        var policy = Policy();
        PutSigned(policy, 5, Encoded("v5"));

        Assert.Equal(StoreOutcome.RejectedSeqTooOld, PutSigned(policy, 4, Encoded("v4")).Outcome);
        Assert.Equal(5, Get(policy, MutableTarget(), Start).Seq);
    }

    [Fact]
    public void PutMutable_EqualSeqSameValue_RefreshesTheLifetime()
    {
        var policy = Policy();
        PutSigned(policy, 3, Encoded("v"));

        Assert.Equal(StoreOutcome.Refreshed, PutSigned(policy, 3, Encoded("v"), now: Start.AddHours(1)).Outcome);

        Assert.Equal(Start.AddHours(3), Get(policy, MutableTarget(), Start).ExpiresAt);
    }

    [Fact]
    public void PutMutable_EqualSeqDifferentValue_KeepsTheHeldItem()
    {
        var policy = Policy();
        PutSigned(policy, 3, Encoded("first"));

        Assert.Equal(StoreOutcome.KeptExisting, PutSigned(policy, 3, Encoded("second")).Outcome);

        Assert.Equal(Encoded("first"), Get(policy, MutableTarget(), Start).Value.ToArray());
    }

    [Fact]
    public void PutMutable_CasDifferentFromHeldSeq_IsRejected()
    {
        var policy = Policy();
        PutSigned(policy, 3, Encoded("v3"));

        Assert.Equal(StoreOutcome.RejectedCasMismatch, PutSigned(policy, 4, Encoded("v4"), cas: 2).Outcome);
        Assert.Equal(3, Get(policy, MutableTarget(), Start).Seq);
    }

    [Fact]
    public void PutMutable_CasEqualToHeldSeq_IsStored()
    {
        var policy = Policy();
        PutSigned(policy, 3, Encoded("v3"));

        Assert.Equal(StoreOutcome.Stored, PutSigned(policy, 4, Encoded("v4"), cas: 3).Outcome);
    }

    [Fact]
    public void PutMutable_CasWithNothingHeld_IsIgnored()
    {
        var policy = Policy();

        Assert.Equal(StoreOutcome.Stored, PutSigned(policy, 4, Encoded("v4"), cas: 3).Outcome);
    }

    [Fact]
    public void PutMutable_LowerSeqAfterTheHeldItemExpired_IsStored()
    {
        var policy = Policy();
        PutSigned(policy, 9, Encoded("v9"));

        Assert.Equal(StoreOutcome.Stored, PutSigned(policy, 1, Encoded("v1"), now: Start + Lifetime).Outcome);
    }

    [Fact]
    public void PutMutable_SameKeyOtherSalt_IsAnotherItem()
    {
        var policy = Policy();
        PutSigned(policy, 1, Encoded("a"), salt: "a"u8.ToArray());
        PutSigned(policy, 1, Encoded("b"), salt: "b"u8.ToArray());
        PutSigned(policy, 1, Encoded("none"), salt: []);

        Assert.Equal(3, policy.Count);
        Assert.Equal(Encoded("none"), Get(policy, Bep44.MutableTarget(Key.PublicKey.Span, []), Start).Value.ToArray());
    }

    [Fact]
    public void Put_FromAnAddressAtItsQuota_IsRejected()
    {
        var policy = Policy(new StorageLimits { MaxItemsPerSourceIp = 1, MaxItems = 2 });
        policy.PutImmutable(Encoded("a"), Alice, Start);
        policy.PutImmutable(Encoded("x"), Alice, Start); // room left: stored past the quota, and the store is full

        Assert.Equal(StoreOutcome.RejectedQuota, policy.PutImmutable(Encoded("b"), Alice, Start).Outcome);
        Assert.Equal(StoreOutcome.RejectedQuota, PutSigned(policy, 1, Encoded("c")).Outcome);
        Assert.Equal(StoreOutcome.Stored, policy.PutImmutable(Encoded("b"), Bob, Start).Outcome);
    }

    [Fact]
    public void Put_WhenFull_KeepsTheItemsClosestToUs()
    {
        var policy = Policy(new StorageLimits { MaxItems = 4 });
        var values = Enumerable.Range(0, 10).Select(i => Encoded($"value {i}")).ToList();

        foreach (var value in values)
        {
            policy.PutImmutable(value, Alice, Start);
        }

        var closest = values.Select(v => Bep44.ImmutableTarget(v)).Order().Take(4); // distance to zero = the id itself
        Assert.Equal(closest, policy.Live(Start).Select(i => i.Target).Order());
    }

    [Fact]
    public void RemoveExpired_RemovesItemsPastTheirLifetime()
    {
        var policy = Policy();
        policy.PutImmutable(Encoded("a"), Alice, Start);
        PutSigned(policy, 1, Encoded("b"), now: Start.AddHours(1));

        Assert.Equal(1, policy.RemoveExpired(Start + Lifetime));

        Assert.Equal(1, policy.Count);
        Assert.True(policy.TryGet(MutableTarget(), Start + Lifetime, out _));
    }
}
