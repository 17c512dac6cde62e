using Dht.Protocol;
using Dht.Storage;

namespace Dht.Tests.Storage;

/// <summary>
/// Per-source quotas and eviction that no sender can use against another's data: when full, room is taken
/// from the source most over its share, and a sender that would be that source may only trade its own entries.
/// </summary>
public sealed class FairStorageTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly NetEndPoint Alice = NetEndPoint.FromIPv4(0x0A000001, 6881);
    private static readonly NetEndPoint Bob = NetEndPoint.FromIPv4(0x0A000002, 6881);
    private static readonly NetEndPoint Carol = NetEndPoint.FromIPv4(0x0A000003, 6881);
    private static readonly NetEndPoint LoopbackA = NetEndPoint.FromIPv4(0x7F000001, 40001);
    private static readonly NetEndPoint LoopbackB = NetEndPoint.FromIPv4(0x7F000001, 40002);

    private static NamedValuePolicy Policy(StorageLimits limits) => new(new InMemoryNamedValueStore(), NodeId.Zero, limits);

    private static NodeId AtDistance(byte first, int last = 0) => StorageIds.AtDistance(first, last);

    private static int Held(NamedValuePolicy policy, NetEndPoint source) => policy.Live(Start).Count(v => v.Source == source);

    [Fact]
    public void Put_WhenFull_ASourceStoringNearOurIdCannotEvictAnotherSourcesValues()
    {
        // One source filled the store with targets near our id and pushed out all 50 of another's values.
        var policy = Policy(new StorageLimits { MaxItems = 100, MaxItemsPerSourceIp = 100 });
        for (int i = 0; i < 50; i++)
        {
            policy.Put(AtDistance(0xF0, i), "far"u8, seq: 1, ttl: null, Bob, Start);
        }

        for (int i = 0; i < 100; i++)
        {
            policy.Put(AtDistance(0x01, i), "near"u8, seq: 1, ttl: null, Alice, Start);
        }

        Assert.Equal(50, Held(policy, Bob));
        Assert.Equal(50, Held(policy, Alice));
        Assert.Equal(100, policy.Count);
    }

    [Fact]
    public void Put_WhenFull_EvictsTheFarthestValueOfTheSourceMostOverItsShare()
    {
        var policy = Policy(new StorageLimits { MaxItems = 4 });
        policy.Put(AtDistance(0x10), "1"u8, seq: 1, ttl: null, Alice, Start);
        policy.Put(AtDistance(0x50), "1"u8, seq: 1, ttl: null, Alice, Start);
        policy.Put(AtDistance(0x30), "1"u8, seq: 1, ttl: null, Alice, Start);
        policy.Put(AtDistance(0x90), "1"u8, seq: 1, ttl: null, Bob, Start);

        Assert.Equal(StoreOutcome.Stored, policy.Put(AtDistance(0xA0), "1"u8, seq: 1, ttl: null, Carol, Start).Outcome);

        Assert.False(policy.TryGet(AtDistance(0x50), Start, out _)); // Alice's farthest, though Bob's is farther
        Assert.True(policy.TryGet(AtDistance(0x90), Start, out _));
        Assert.Equal(2, Held(policy, Alice));
    }

    [Fact]
    public void Put_WhenFull_ALighterSourceGetsRoomEvenForItsFarthestTarget()
    {
        var policy = Policy(new StorageLimits { MaxItems = 2 });
        policy.Put(AtDistance(0x10), "1"u8, seq: 1, ttl: null, Alice, Start);
        policy.Put(AtDistance(0x20), "1"u8, seq: 1, ttl: null, Alice, Start);

        Assert.Equal(StoreOutcome.Stored, policy.Put(AtDistance(0x30), "1"u8, seq: 1, ttl: null, Bob, Start).Outcome);

        Assert.True(policy.TryGet(AtDistance(0x10), Start, out _));
        Assert.False(policy.TryGet(AtDistance(0x20), Start, out _));
    }

    [Fact]
    public void Put_WhenFullAndTheSenderIsAsLargeAsAnyone_TradesOnlyItsOwnFartherValue()
    {
        var policy = Policy(new StorageLimits { MaxItems = 4 });
        policy.Put(AtDistance(0x10), "1"u8, seq: 1, ttl: null, Alice, Start);
        policy.Put(AtDistance(0x60), "1"u8, seq: 1, ttl: null, Alice, Start);
        policy.Put(AtDistance(0x20), "1"u8, seq: 1, ttl: null, Bob, Start);
        policy.Put(AtDistance(0x70), "1"u8, seq: 1, ttl: null, Bob, Start);

        Assert.Equal(StoreOutcome.Stored, policy.Put(AtDistance(0x05), "1"u8, seq: 1, ttl: null, Alice, Start).Outcome);
        Assert.Equal(StoreOutcome.RejectedStoreFull, policy.Put(AtDistance(0x80), "1"u8, seq: 1, ttl: null, Alice, Start).Outcome);

        Assert.False(policy.TryGet(AtDistance(0x60), Start, out _));
        Assert.Equal(2, Held(policy, Bob));
        Assert.Equal(4, policy.Count);
    }

    [Fact]
    public void Put_WhenFullByBytes_EvictsFromTheSourceHoldingTheMostBytes()
    {
        var policy = Policy(new StorageLimits { MaxBytes = 1000 });
        policy.Put(AtDistance(0x10), new byte[700], seq: 1, ttl: null, Alice, Start);
        for (int i = 0; i < 3; i++)
        {
            policy.Put(AtDistance(0x80, i), new byte[100], seq: 1, ttl: null, Bob, Start);
        }

        Assert.Equal(StoreOutcome.Stored, policy.Put(AtDistance(0x90), new byte[100], seq: 1, ttl: null, Carol, Start).Outcome);

        Assert.Equal(0, Held(policy, Alice)); // one value, but 70% of the bytes
        Assert.Equal(3, Held(policy, Bob));
        Assert.Equal(400, policy.TotalBytes);
    }

    [Fact]
    public void Put_RefusedWhenFull_CostsNoHeldValue()
    {
        var policy = Policy(new StorageLimits { MaxBytes = 1000 });
        policy.Put(AtDistance(0x10), new byte[500], seq: 1, ttl: null, Alice, Start);
        policy.Put(AtDistance(0x20), new byte[400], seq: 1, ttl: null, Bob, Start);

        // Room for Carol's 1000 bytes would take both held values, and Carol would then be the largest.
        Assert.Equal(StoreOutcome.RejectedStoreFull, policy.Put(AtDistance(0x05), new byte[1000], seq: 1, ttl: null, Carol, Start).Outcome);

        Assert.Equal(2, policy.Count);
        Assert.Equal(900, policy.TotalBytes);
    }

    [Fact]
    public void Put_PastTheSourcesByteQuota_IsRejected_ButItMayReplaceItsOwnWithinIt()
    {
        var policy = Policy(new StorageLimits { MaxBytesPerSourceIp = 100, MaxBytes = 100 });
        policy.Put(AtDistance(0x10), new byte[60], seq: 1, ttl: null, Alice, Start);

        Assert.Equal(StoreOutcome.RejectedQuota, policy.Put(AtDistance(0x20), new byte[50], seq: 1, ttl: null, Alice, Start).Outcome);
        Assert.Equal(StoreOutcome.Stored, policy.Put(AtDistance(0x10), new byte[100], seq: 2, ttl: null, Alice, Start).Outcome);
        Assert.Equal(StoreOutcome.Stored, policy.Put(AtDistance(0x20), new byte[50], seq: 1, ttl: null, Bob, Start).Outcome);
    }

    [Fact]
    public void Put_FromLoopback_IsHeldToTheQuotaPerPort()
    {
        var policy = Policy(new StorageLimits { MaxItemsPerSourceIp = 1, MaxItems = 2 });

        Assert.Equal(StoreOutcome.Stored, policy.Put(AtDistance(0x10), "1"u8, seq: 1, ttl: null, LoopbackA, Start).Outcome);
        Assert.Equal(StoreOutcome.Stored, policy.Put(AtDistance(0x30), "1"u8, seq: 1, ttl: null, LoopbackA, Start).Outcome);
        Assert.Equal(StoreOutcome.RejectedQuota, policy.Put(AtDistance(0x20), "1"u8, seq: 1, ttl: null, LoopbackA, Start).Outcome);
        Assert.Equal(StoreOutcome.Stored, policy.Put(AtDistance(0x20), "1"u8, seq: 1, ttl: null, LoopbackB, Start).Outcome);
    }

    [Fact]
    public void Put_FromOneRealAddress_IsOneSourceWhateverThePort()
    {
        var policy = Policy(new StorageLimits { MaxItemsPerSourceIp = 1, MaxItems = 1 });
        policy.Put(AtDistance(0x10), "1"u8, seq: 1, ttl: null, Alice, Start);

        Assert.Equal(StoreOutcome.RejectedQuota, policy.Put(AtDistance(0x20), "1"u8, seq: 1, ttl: null, Alice.WithPort(7000), Start).Outcome);
    }

    [Fact]
    public void Put_WhenFullOfLocalWrites_ARemoteSourceStillGetsItsShare()
    {
        var policy = Policy(new StorageLimits { MaxItems = 3, MaxItemsPerSourceIp = 1 });
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(StoreOutcome.Stored, policy.Put(AtDistance(0x10, i), "1"u8, seq: 1, ttl: null, default, Start).Outcome);
        }

        Assert.Equal(StoreOutcome.Stored, policy.Put(AtDistance(0x90), "1"u8, seq: 1, ttl: null, Bob, Start).Outcome);
        Assert.Equal(2, Held(policy, default));
    }

    [Fact]
    public void ItemPolicy_IsFairToo()
    {
        var policy = new ItemPolicy(new InMemoryItemStore(), NodeId.Zero, new StorageLimits { MaxItems = 10, MaxItemsPerSourceIp = 10 });
        var values = Enumerable.Range(0, 15).Select(i => System.Text.Encoding.ASCII.GetBytes($"7:value{i,2:00}")).ToList();
        foreach (var value in values.Take(5))
        {
            policy.PutImmutable(value, Bob, Start);
        }

        foreach (var value in values.Skip(5))
        {
            policy.PutImmutable(value, Alice, Start);
        }

        Assert.Equal(5, policy.Live(Start).Count(i => i.Source == Bob));
        Assert.Equal(10, policy.Count);
    }
}
