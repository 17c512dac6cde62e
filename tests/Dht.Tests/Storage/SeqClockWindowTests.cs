using Dht.Protocol;
using Dht.Storage;

namespace Dht.Tests.Storage;

/// <summary>
/// A named value's seq is bounded by the holder's clock (microseconds since the Unix epoch, plus
/// <see cref="StorageLimits.MaxSeqClockSkew"/>), so a stranger cannot lock a key with a version its owner's
/// clock will not reach for ages.
/// </summary>
public sealed class SeqClockWindowTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly NodeId Key = NodeId.FromKey("victim");
    private static readonly NetEndPoint Owner = NetEndPoint.FromIPv4(0x0A000001, 6881);
    private static readonly NetEndPoint Attacker = NetEndPoint.FromIPv4(0x0A000066, 6881);

    // The writer's default seq at `now`: its clock in microseconds.
    private static long ClockSeq(DateTimeOffset now) => now.ToUnixTimeMilliseconds() * 1000;

    private static NamedValuePolicy Policy(StorageLimits? limits = null) => new(new InMemoryNamedValueStore(), NodeId.Zero, limits);

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(long.MaxValue - 1)]
    public void Store_WithAnUnreachableSeq_DoesNotLockTheKeyAgainstItsOwner(long attackerSeq)
    {
        var policy = Policy();
        policy.Put(Key, "good-value"u8, ClockSeq(Start), ttl: null, Owner, Start);

        policy.Put(Key, "ATTACKER"u8, attackerSeq, ttl: null, Attacker, Start.AddSeconds(1));
        policy.Put(Key, "good-value-2"u8, ClockSeq(Start.AddSeconds(2)), ttl: null, Owner, Start.AddSeconds(2));

        Assert.True(policy.TryGet(Key, Start.AddSeconds(2), out var held));
        Assert.Equal("good-value-2"u8.ToArray(), held.Value.ToArray());
    }

    [Fact]
    public void Tombstone_WithAnUnreachableSeq_DoesNotDeleteTheKeyForGood()
    {
        var policy = Policy();
        policy.Put(Key, "good-value"u8, ClockSeq(Start), ttl: null, Owner, Start);

        policy.PutTombstone(Key, long.MaxValue, ttl: null, Attacker, Start.AddSeconds(1));

        Assert.True(policy.TryGet(Key, Start.AddSeconds(1), out var held));
        Assert.False(held.IsTombstone);
    }

    [Fact]
    public void Put_SeqBeyondTheWindow_IsRefusedAsTooNew()
    {
        var policy = Policy();
        long limit = ClockSeq(Start) + (long)TimeSpan.FromMinutes(10).TotalMicroseconds;

        Assert.Equal(StoreOutcome.RejectedSeqTooNew, policy.Put(Key, "v"u8, limit + 1, ttl: null, Attacker, Start).Outcome);
        Assert.Equal(StoreOutcome.RejectedSeqTooNew, policy.PutTombstone(Key, limit + 1, ttl: null, Attacker, Start).Outcome);
        Assert.Equal(StoreOutcome.Stored, policy.Put(Key, "v"u8, limit, ttl: null, Owner, Start).Outcome);
        Assert.Equal(1, policy.Count);
    }

    [Fact]
    public void Put_RefusedAsTooNew_IsAnsweredWith302()
    {
        Assert.Equal(302, StoreOutcome.RejectedSeqTooNew.ToKrpcErrorCode());
    }

    [Fact]
    public void Put_LowOrNegativeSeqs_AreWithinTheWindow()
    {
        var policy = Policy();

        Assert.Equal(StoreOutcome.Stored, policy.Put(Key, "v"u8, long.MinValue, ttl: null, Owner, Start).Outcome);
        Assert.Equal(StoreOutcome.Stored, policy.Put(Key, "v"u8, 1, ttl: null, Owner, Start).Outcome);
    }

    [Fact]
    public void MaxSeqAt_FollowsTheClockAndTheConfiguredSkew()
    {
        var policy = Policy(new StorageLimits { MaxSeqClockSkew = TimeSpan.FromSeconds(5) });

        Assert.Equal(ClockSeq(Start) + 5_000_000, policy.MaxSeqAt(Start));
        Assert.Equal(ClockSeq(Start.AddHours(1)) + 5_000_000, policy.MaxSeqAt(Start.AddHours(1)));
    }

    [Fact]
    public void MaxSeqAt_TheLargestSkewAtTheLastInstant_DoesNotWrap()
    {
        var policy = Policy(new StorageLimits { MaxSeqClockSkew = TimeSpan.MaxValue });

        Assert.True(policy.MaxSeqAt(DateTimeOffset.MaxValue) > 0);
        Assert.Equal(StoreOutcome.RejectedSeqTooNew, policy.Put(Key, "v"u8, long.MaxValue, ttl: null, Attacker, DateTimeOffset.MaxValue.AddDays(-2)).Outcome);
    }
}
