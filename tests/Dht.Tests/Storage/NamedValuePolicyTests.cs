using Dht.Protocol;
using Dht.Storage;

namespace Dht.Tests.Storage;

public sealed class NamedValuePolicyTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly NodeId Key = NodeId.FromKey("hello");
    private static readonly NetEndPoint Alice = NetEndPoint.FromIPv4(0x0A000001, 6881);
    private static readonly NetEndPoint Bob = NetEndPoint.FromIPv4(0x0A000002, 6881);

    private static NodeId AtDistance(byte first, byte last = 0) => StorageIds.AtDistance(first, last);

    private static NamedValuePolicy Policy(out InMemoryNamedValueStore store, StorageLimits? limits = null)
    {
        store = new InMemoryNamedValueStore();
        return new NamedValuePolicy(store, NodeId.Zero, limits);
    }

    private static NamedValue Get(NamedValuePolicy policy, NodeId target, DateTimeOffset now)
    {
        Assert.True(policy.TryGet(target, now, out var value));
        return value;
    }

    [Fact]
    public void Put_NewTarget_IsStoredForTheDefaultTtl()
    {
        var policy = Policy(out _);

        Assert.Equal(StoreOutcome.Stored, policy.Put(Key, "world"u8, seq: 1, ttl: null, Alice, Start).Outcome);

        var value = Get(policy, Key, Start);
        Assert.Equal("world"u8.ToArray(), value.Value.ToArray());
        Assert.Equal(1, value.Seq);
        Assert.Equal(Start, value.StoredAt);
        Assert.Equal(Start + TimeSpan.FromHours(24), value.ExpiresAt);
        Assert.Equal(Alice, value.Source);
        Assert.False(value.IsTombstone);
    }

    [Fact]
    public void Put_CopiesTheValue()
    {
        var policy = Policy(out _);
        var buffer = "world"u8.ToArray();

        policy.Put(Key, buffer, seq: 1, ttl: null, Alice, Start);
        buffer[0] = (byte)'W';

        Assert.Equal("world"u8.ToArray(), Get(policy, Key, Start).Value.ToArray());
    }

    [Fact]
    public void Put_HigherSeq_ReplacesTheValue()
    {
        var policy = Policy(out _);
        policy.Put(Key, "old"u8, seq: 1, ttl: null, Alice, Start);

        Assert.Equal(StoreOutcome.Stored, policy.Put(Key, "new"u8, seq: 2, ttl: null, Bob, Start.AddMinutes(1)).Outcome);

        var value = Get(policy, Key, Start.AddMinutes(1));
        Assert.Equal("new"u8.ToArray(), value.Value.ToArray());
        Assert.Equal(2, value.Seq);
        Assert.Equal(Bob, value.Source);
    }

    [Fact]
    public void Put_LowerSeq_IsRejectedAndKeepsTheNewerValue()
    {
        var policy = Policy(out _);
        policy.Put(Key, "new"u8, seq: 5, ttl: null, Alice, Start);

        Assert.Equal(StoreOutcome.RejectedSeqTooOld, policy.Put(Key, "old"u8, seq: 4, ttl: null, Bob, Start.AddMinutes(1)).Outcome);

        Assert.Equal("new"u8.ToArray(), Get(policy, Key, Start).Value.ToArray());
    }

    [Fact]
    public void Put_EqualSeqAndBytes_RefreshesTheLifetime()
    {
        var policy = Policy(out _);
        policy.Put(Key, "v"u8, seq: 1, ttl: TimeSpan.FromHours(1), Alice, Start);

        Assert.Equal(StoreOutcome.Refreshed, policy.Put(Key, "v"u8, seq: 1, ttl: TimeSpan.FromHours(1), Bob, Start.AddMinutes(50)).Outcome);

        var value = Get(policy, Key, Start.AddMinutes(90));
        Assert.Equal(Start.AddMinutes(110), value.ExpiresAt);
        Assert.Equal(Start.AddMinutes(50), value.StoredAt);
        Assert.Equal(Alice, value.Source); // a refresh adds nothing to Bob's quota
    }

    [Fact]
    public void Put_RefreshWithShorterTtl_DoesNotShortenTheLifetime()
    {
        var policy = Policy(out _);
        policy.Put(Key, "v"u8, seq: 1, ttl: TimeSpan.FromHours(10), Alice, Start);

        Assert.Equal(StoreOutcome.Refreshed, policy.Put(Key, "v"u8, seq: 1, ttl: TimeSpan.FromMinutes(1), Alice, Start.AddMinutes(1)).Outcome);

        Assert.Equal(Start.AddHours(10), Get(policy, Key, Start).ExpiresAt);
    }

    [Fact]
    public void Put_EqualSeqLargerBytes_ReplacesTheValue()
    {
        var policy = Policy(out _);
        policy.Put(Key, "abc"u8, seq: 3, ttl: null, Alice, Start);

        Assert.Equal(StoreOutcome.Stored, policy.Put(Key, "abd"u8, seq: 3, ttl: null, Bob, Start).Outcome);

        Assert.Equal("abd"u8.ToArray(), Get(policy, Key, Start).Value.ToArray());
    }

    [Fact]
    public void Put_EqualSeqSmallerBytes_KeepsTheHeldValue()
    {
        var policy = Policy(out _);
        policy.Put(Key, "abd"u8, seq: 3, ttl: null, Alice, Start);

        Assert.Equal(StoreOutcome.KeptExisting, policy.Put(Key, "abc"u8, seq: 3, ttl: null, Bob, Start).Outcome);
        Assert.Equal(StoreOutcome.KeptExisting, policy.Put(Key, "ab"u8, seq: 3, ttl: null, Bob, Start).Outcome);

        Assert.Equal("abd"u8.ToArray(), Get(policy, Key, Start).Value.ToArray());
    }

    [Fact]
    public void Put_ConflictingWritesInEitherOrder_Converge()
    {
        var first = Policy(out _);
        var second = Policy(out _);
        byte[][] writes = ["zeta"u8.ToArray(), "alpha"u8.ToArray(), "omega"u8.ToArray()];

        foreach (var w in writes)
        {
            first.Put(Key, w, seq: 7, ttl: null, Alice, Start);
        }

        foreach (var w in writes.Reverse())
        {
            second.Put(Key, w, seq: 7, ttl: null, Alice, Start);
        }

        Assert.Equal("zeta"u8.ToArray(), Get(first, Key, Start).Value.ToArray());
        Assert.Equal("zeta"u8.ToArray(), Get(second, Key, Start).Value.ToArray());
    }

    [Fact]
    public void PutTombstone_HigherSeq_ReplacesTheValue()
    {
        var policy = Policy(out _);
        policy.Put(Key, "v"u8, seq: 1, ttl: null, Alice, Start);

        Assert.Equal(StoreOutcome.Stored, policy.PutTombstone(Key, seq: 2, ttl: null, Alice, Start).Outcome);

        var value = Get(policy, Key, Start);
        Assert.True(value.IsTombstone);
        Assert.True(value.Value.IsEmpty);
        Assert.Equal(2, value.Seq);
    }

    [Fact]
    public void Put_OlderValueAfterTombstone_IsRejected()
    {
        var policy = Policy(out _);
        policy.PutTombstone(Key, seq: 2, ttl: null, Alice, Start);

        Assert.Equal(StoreOutcome.RejectedSeqTooOld, policy.Put(Key, "v"u8, seq: 1, ttl: null, Bob, Start).Outcome);
        Assert.True(Get(policy, Key, Start).IsTombstone);
    }

    [Fact]
    public void PutTombstone_EqualSeq_WinsOverTheValue()
    {
        var policy = Policy(out _);
        policy.Put(Key, "v"u8, seq: 4, ttl: null, Alice, Start);

        Assert.Equal(StoreOutcome.Stored, policy.PutTombstone(Key, seq: 4, ttl: null, Alice, Start).Outcome);
        Assert.Equal(StoreOutcome.KeptExisting, policy.Put(Key, "v"u8, seq: 4, ttl: null, Alice, Start).Outcome);
        Assert.Equal(StoreOutcome.Refreshed, policy.PutTombstone(Key, seq: 4, ttl: null, Alice, Start).Outcome);

        Assert.True(Get(policy, Key, Start).IsTombstone);
    }

    [Fact]
    public void PutTombstone_Expires_LikeAValue()
    {
        var policy = Policy(out _);
        policy.PutTombstone(Key, seq: 2, ttl: TimeSpan.FromHours(1), Alice, Start);

        Assert.False(policy.TryGet(Key, Start.AddHours(1), out _));
        Assert.Equal(1, policy.RemoveExpired(Start.AddHours(1)));
        Assert.Equal(0, policy.Count);
    }

    [Fact]
    public void Put_LargerThanMaxValueSize_IsRejected()
    {
        var policy = Policy(out _);

        Assert.Equal(StoreOutcome.RejectedTooLarge, policy.Put(Key, new byte[1001], seq: 1, ttl: null, Alice, Start).Outcome);
        Assert.Equal(StoreOutcome.Stored, policy.Put(Key, new byte[1000], seq: 1, ttl: null, Alice, Start).Outcome);
    }

    [Fact]
    public void Put_TtlLongerThanMax_IsCutToMax()
    {
        var policy = Policy(out _, new StorageLimits { MaxTtl = TimeSpan.FromHours(2), DefaultTtl = TimeSpan.FromHours(1) });

        policy.Put(Key, "v"u8, seq: 1, ttl: TimeSpan.FromDays(30), Alice, Start);

        Assert.Equal(Start.AddHours(2), Get(policy, Key, Start).ExpiresAt);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-60)]
    public void Put_NonPositiveTtl_GetsTheDefault(int ttlSeconds)
    {
        var policy = Policy(out _, new StorageLimits { DefaultTtl = TimeSpan.FromHours(3) });

        policy.Put(Key, "v"u8, seq: 1, ttl: TimeSpan.FromSeconds(ttlSeconds), Alice, Start);

        Assert.Equal(Start.AddHours(3), Get(policy, Key, Start).ExpiresAt);
    }

    [Fact]
    public void Put_ShortTtl_IsHonoured()
    {
        var policy = Policy(out _);

        policy.Put(Key, "v"u8, seq: 1, ttl: TimeSpan.FromMinutes(5), Alice, Start);

        Assert.True(policy.TryGet(Key, Start.AddMinutes(5).AddTicks(-1), out _));
        Assert.False(policy.TryGet(Key, Start.AddMinutes(5), out _));
    }

    [Fact]
    public void Put_LowerSeqAfterTheHeldValueExpired_IsStored()
    {
        var policy = Policy(out _);
        policy.Put(Key, "new"u8, seq: 9, ttl: TimeSpan.FromHours(1), Alice, Start);

        Assert.Equal(StoreOutcome.Stored, policy.Put(Key, "old"u8, seq: 1, ttl: null, Alice, Start.AddHours(1)).Outcome);

        Assert.Equal(1, Get(policy, Key, Start.AddHours(1)).Seq);
    }

    [Fact]
    public void RemoveExpired_RemovesOnlyExpiredValues()
    {
        var policy = Policy(out var store);
        policy.Put(NodeId.FromKey("a"), "1"u8, seq: 1, ttl: TimeSpan.FromMinutes(10), Alice, Start);
        policy.Put(NodeId.FromKey("b"), "22"u8, seq: 1, ttl: TimeSpan.FromMinutes(20), Alice, Start);
        policy.Put(NodeId.FromKey("c"), "333"u8, seq: 1, ttl: TimeSpan.FromMinutes(30), Alice, Start);

        Assert.Equal(2, policy.RemoveExpired(Start.AddMinutes(20)));

        Assert.Equal(1, policy.Count);
        Assert.Equal(3, policy.TotalBytes);
        Assert.Equal(1, store.Count);
        Assert.Equal([NodeId.FromKey("c")], policy.Live(Start.AddMinutes(20)).Select(v => v.Target));
    }

    [Fact]
    public void Live_SkipsExpiredValuesNotYetRemoved()
    {
        var policy = Policy(out _);
        policy.Put(NodeId.FromKey("a"), "1"u8, seq: 1, ttl: TimeSpan.FromMinutes(10), Alice, Start);
        policy.Put(NodeId.FromKey("b"), "2"u8, seq: 1, ttl: TimeSpan.FromMinutes(20), Alice, Start);

        Assert.Equal([NodeId.FromKey("b")], policy.Live(Start.AddMinutes(10)).Select(v => v.Target));
    }

    [Fact]
    public void Put_FromAnAddressAtItsQuota_IsRejected()
    {
        var policy = Policy(out _, new StorageLimits { MaxItemsPerSourceIp = 2, MaxItems = 2 });
        policy.Put(NodeId.FromKey("a"), "1"u8, seq: 1, ttl: null, Alice, Start);
        policy.Put(NodeId.FromKey("b"), "1"u8, seq: 1, ttl: null, Alice.WithPort(9999), Start);

        Assert.Equal(StoreOutcome.RejectedQuota, policy.Put(NodeId.FromKey("c"), "1"u8, seq: 1, ttl: null, Alice, Start).Outcome);
        Assert.Equal(StoreOutcome.Stored, policy.Put(NodeId.FromKey("c"), "1"u8, seq: 1, ttl: null, Bob, Start).Outcome);
    }

    [Fact]
    public void Put_FromAnAddressAtItsQuota_MayStillRefreshAndReplaceItsOwn()
    {
        var policy = Policy(out _, new StorageLimits { MaxItemsPerSourceIp = 1 });
        policy.Put(Key, "1"u8, seq: 1, ttl: null, Alice, Start);

        Assert.Equal(StoreOutcome.Refreshed, policy.Put(Key, "1"u8, seq: 1, ttl: null, Alice, Start).Outcome);
        Assert.Equal(StoreOutcome.Stored, policy.Put(Key, "2"u8, seq: 2, ttl: null, Alice, Start).Outcome);
    }

    [Fact]
    public void Put_ReplacingAnotherAddressesValue_CountsAgainstTheNewSender()
    {
        var policy = Policy(out _, new StorageLimits { MaxItemsPerSourceIp = 1, MaxItems = 2 });
        policy.Put(NodeId.FromKey("a"), "1"u8, seq: 1, ttl: null, Alice, Start);
        policy.Put(NodeId.FromKey("b"), "1"u8, seq: 1, ttl: null, Bob, Start);

        // A newer version needs no room, so it is taken; the value now counts against Alice.
        Assert.Equal(StoreOutcome.Stored, policy.Put(NodeId.FromKey("b"), "2"u8, seq: 2, ttl: null, Alice, Start).Outcome);
        Assert.Equal(StoreOutcome.RejectedQuota, policy.Put(NodeId.FromKey("c"), "1"u8, seq: 1, ttl: null, Alice, Start).Outcome);
        Assert.Equal(StoreOutcome.Stored, policy.Put(NodeId.FromKey("c"), "1"u8, seq: 1, ttl: null, Bob, Start).Outcome);
    }

    [Fact]
    public void Put_WhileThereIsRoom_OneSourceMayStorePastItsQuota_AndIsEvictedFirstWhenOthersNeedRoom()
    {
        // One client loading a small network is a legitimate heavy writer; its quota binds only once the
        // store is full and someone else needs room.
        var policy = Policy(out _, new StorageLimits { MaxItemsPerSourceIp = 2, MaxItems = 5 });
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(StoreOutcome.Stored, policy.Put(NodeId.FromKey($"k{i}"), "1"u8, seq: 1, ttl: null, Alice, Start).Outcome);
        }

        Assert.Equal(StoreOutcome.RejectedQuota, policy.Put(NodeId.FromKey("k5"), "1"u8, seq: 1, ttl: null, Alice, Start).Outcome);
        Assert.Equal(StoreOutcome.Stored, policy.Put(NodeId.FromKey("b"), "1"u8, seq: 1, ttl: null, Bob, Start).Outcome);
        Assert.Equal(5, policy.Count);
        Assert.True(policy.TryGet(NodeId.FromKey("b"), Start, out _));
    }

    [Fact]
    public void Put_QuotaIsFreedWhenValuesExpire()
    {
        var policy = Policy(out _, new StorageLimits { MaxItemsPerSourceIp = 1, MaxItems = 1 });
        policy.Put(NodeId.FromKey("a"), "1"u8, seq: 1, ttl: TimeSpan.FromMinutes(1), Alice, Start);

        policy.RemoveExpired(Start.AddMinutes(1));

        Assert.Equal(StoreOutcome.Stored, policy.Put(NodeId.FromKey("b"), "1"u8, seq: 1, ttl: null, Alice, Start.AddMinutes(1)).Outcome);
    }

    [Fact]
    public void Put_LocalWrites_AreNotCountedAgainstAnyQuota()
    {
        var policy = Policy(out _, new StorageLimits { MaxItemsPerSourceIp = 1 });

        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(StoreOutcome.Stored, policy.Put(NodeId.FromKey($"k{i}"), "1"u8, seq: 1, ttl: null, default, Start).Outcome);
        }
    }

    [Fact]
    public void Put_WhenFull_EvictsTheValueFarthestFromUs()
    {
        var policy = Policy(out _, new StorageLimits { MaxItems = 3 });
        policy.Put(AtDistance(0x10), "1"u8, seq: 1, ttl: null, Alice, Start);
        policy.Put(AtDistance(0x80), "1"u8, seq: 1, ttl: null, Alice, Start);
        policy.Put(AtDistance(0x40), "1"u8, seq: 1, ttl: null, Alice, Start);

        Assert.Equal(StoreOutcome.Stored, policy.Put(AtDistance(0x20), "1"u8, seq: 1, ttl: null, Bob, Start).Outcome);

        Assert.Equal(3, policy.Count);
        Assert.False(policy.TryGet(AtDistance(0x80), Start, out _));
        Assert.True(policy.TryGet(AtDistance(0x20), Start, out _));
    }

    [Fact]
    public void Put_WhenFullOfTheSendersOwnCloserValues_IsRejectedWithoutEvicting()
    {
        var policy = Policy(out _, new StorageLimits { MaxItems = 2 });
        policy.Put(AtDistance(0x10), "1"u8, seq: 1, ttl: null, Alice, Start);
        policy.Put(AtDistance(0x20), "1"u8, seq: 1, ttl: null, Alice, Start);

        Assert.Equal(StoreOutcome.RejectedStoreFull, policy.Put(AtDistance(0x30), "1"u8, seq: 1, ttl: null, Alice, Start).Outcome);

        Assert.True(policy.TryGet(AtDistance(0x10), Start, out _));
        Assert.True(policy.TryGet(AtDistance(0x20), Start, out _));
    }

    [Fact]
    public void Put_WhenFull_EvictsExpiredValuesBeforeCloserLiveOnes()
    {
        var policy = Policy(out _, new StorageLimits { MaxItems = 2 });
        policy.Put(AtDistance(0x10), "1"u8, seq: 1, ttl: TimeSpan.FromMinutes(1), Alice, Start);
        policy.Put(AtDistance(0x20), "1"u8, seq: 1, ttl: null, Alice, Start);

        Assert.Equal(StoreOutcome.Stored, policy.Put(AtDistance(0x30), "1"u8, seq: 1, ttl: null, Bob, Start.AddMinutes(1)).Outcome);

        Assert.Equal(2, policy.Count);
        Assert.True(policy.TryGet(AtDistance(0x20), Start.AddMinutes(1), out _));
        Assert.True(policy.TryGet(AtDistance(0x30), Start.AddMinutes(1), out _));
    }

    [Fact]
    public void Put_OverMaxBytes_EvictsFartherValuesUntilItFits()
    {
        var policy = Policy(out _, new StorageLimits { MaxBytes = 1000 });
        policy.Put(AtDistance(0x10), new byte[400], seq: 1, ttl: null, Alice, Start);
        policy.Put(AtDistance(0x70), new byte[300], seq: 1, ttl: null, Alice, Start);
        policy.Put(AtDistance(0x80), new byte[300], seq: 1, ttl: null, Alice, Start);

        Assert.Equal(StoreOutcome.Stored, policy.Put(AtDistance(0x20), new byte[500], seq: 1, ttl: null, Bob, Start).Outcome);

        Assert.Equal(900, policy.TotalBytes);
        Assert.Equal([AtDistance(0x10), AtDistance(0x20)], policy.Live(Start).Select(v => v.Target).Order());
    }

    [Fact]
    public void Put_GrowingAHeldValuePastMaxBytes_EvictsOnlyFartherValues()
    {
        var policy = Policy(out _, new StorageLimits { MaxBytes = 1000 });
        policy.Put(AtDistance(0x10), new byte[400], seq: 1, ttl: null, Alice, Start);
        policy.Put(AtDistance(0x20), new byte[400], seq: 1, ttl: null, Alice, Start);

        Assert.Equal(StoreOutcome.RejectedStoreFull, policy.Put(AtDistance(0x20), new byte[700], seq: 2, ttl: null, Alice, Start).Outcome);
        Assert.Equal(StoreOutcome.Stored, policy.Put(AtDistance(0x10), new byte[700], seq: 2, ttl: null, Alice, Start).Outcome);

        Assert.Equal([AtDistance(0x10)], policy.Live(Start).Select(v => v.Target));
        Assert.Equal(700, policy.TotalBytes);
    }

    [Fact]
    public void NewPolicy_OverAFilledStore_EnforcesLimitsOnWhatItHolds()
    {
        var store = new InMemoryNamedValueStore();
        store.Put(new NamedValue(AtDistance(0x10), new byte[] { 1 }, 1, Start, Start.AddHours(1), false, Alice));
        store.Put(new NamedValue(AtDistance(0x20), new byte[] { 1 }, 1, Start, Start.AddHours(1), false, Alice));
        var policy = new NamedValuePolicy(store, NodeId.Zero, new StorageLimits { MaxItemsPerSourceIp = 2, MaxItems = 2 });

        Assert.Equal(2, policy.Count);
        Assert.Equal(StoreOutcome.RejectedQuota, policy.Put(AtDistance(0x30), "1"u8, seq: 1, ttl: null, Alice, Start).Outcome);
        Assert.Equal(StoreOutcome.RejectedSeqTooOld, policy.Put(AtDistance(0x10), "1"u8, seq: 0, ttl: null, Bob, Start).Outcome);
        Assert.Equal(2, policy.RemoveExpired(Start.AddHours(1)));
    }

    [Fact]
    public void NewPolicy_WithInconsistentLimits_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Policy(out _, new StorageLimits { MaxItems = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Policy(out _, new StorageLimits { DefaultTtl = TimeSpan.FromHours(48) }));
    }
}
