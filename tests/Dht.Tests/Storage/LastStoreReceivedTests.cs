using Dht.Protocol;
using Dht.Storage;

namespace Dht.Tests.Storage;

/// <summary>
/// The time of the last store received for a key (hourly replication skips those keys) lives with the stored
/// entry, so the memory is bounded by what is stored and goes with the entry.
/// </summary>
public sealed class LastStoreReceivedTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly NodeId Key = NodeId.FromKey("hello");
    private static readonly NetEndPoint Alice = NetEndPoint.FromIPv4(0x0A000001, 6881);

    private static NamedValuePolicy Policy(StorageLimits? limits = null) => new(new InMemoryNamedValueStore(), NodeId.Zero, limits);

    [Fact]
    public void StoreFromAnotherNode_IsRemembered_AndARefreshMovesIt()
    {
        var policy = Policy();

        policy.Put(Key, "v"u8, seq: 1, ttl: null, Alice, Start);
        Assert.Equal(Start, policy.LastStoreReceived(Key));

        policy.Put(Key, "v"u8, seq: 1, ttl: null, Alice.WithPort(1), Start.AddMinutes(5));
        Assert.Equal(Start.AddMinutes(5), policy.LastStoreReceived(Key));
    }

    [Fact]
    public void LocalWrite_IsNotAStoreReceived_AndKeepsAnEarlierOne()
    {
        var policy = Policy();
        policy.Put(NodeId.FromKey("local"), "v"u8, seq: 1, ttl: null, default, Start);
        policy.Put(Key, "v"u8, seq: 1, ttl: null, Alice, Start);

        policy.Put(Key, "v"u8, seq: 1, ttl: null, default, Start.AddMinutes(1));

        Assert.Null(policy.LastStoreReceived(NodeId.FromKey("local")));
        Assert.Equal(Start, policy.LastStoreReceived(Key));
    }

    [Fact]
    public void RefusedStore_IsNotRemembered()
    {
        var policy = Policy();
        policy.Put(Key, "new"u8, seq: 5, ttl: null, default, Start);

        policy.Put(Key, "old"u8, seq: 4, ttl: null, Alice, Start);

        Assert.Null(policy.LastStoreReceived(Key));
    }

    [Fact]
    public void ManyShortLivedStores_AreForgottenWithTheirEntries()
    {
        // 540,000 stores of unique targets with ttl 1 s once grew a separate memory for an hour; here it is
        // bounded by what is held, whatever the number of stores.
        var policy = Policy(new StorageLimits { MaxItems = 10, MaxItemsPerSourceIp = int.MaxValue });
        var targets = Enumerable.Range(0, 1000).Select(i => NodeId.FromKey($"short {i}")).ToList();
        var now = Start;
        foreach (var target in targets)
        {
            policy.Put(target, "v"u8, seq: 1, ttl: TimeSpan.FromSeconds(1), Alice, now);
            now = now.AddMilliseconds(100);
        }

        Assert.InRange(policy.Count, 1, 10);
        policy.RemoveExpired(now.AddSeconds(1));

        Assert.Equal(0, policy.Count);
        Assert.All(targets, t => Assert.Null(policy.LastStoreReceived(t)));
    }

    [Fact]
    public void EvictedEntry_TakesItsTimeWithIt()
    {
        var policy = Policy(new StorageLimits { MaxItems = 1 });
        policy.Put(StorageIds.AtDistance(0x10), "v"u8, seq: 1, ttl: null, Alice, Start);

        policy.Put(StorageIds.AtDistance(0x05), "v"u8, seq: 1, ttl: null, Alice, Start.AddMinutes(1));

        Assert.Null(policy.LastStoreReceived(StorageIds.AtDistance(0x10)));
        Assert.Equal(Start.AddMinutes(1), policy.LastStoreReceived(StorageIds.AtDistance(0x05)));
    }

    [Fact]
    public void ReopenedStore_CountsWhatOthersStoredAsReceivedWhenItWasStored()
    {
        var store = new InMemoryNamedValueStore();
        store.Put(new NamedValue(Key, new byte[] { 1 }, 1, Start, Start.AddHours(1), false, Alice));
        store.Put(new NamedValue(NodeId.FromKey("local"), new byte[] { 1 }, 1, Start, Start.AddHours(1), false, default));

        var policy = new NamedValuePolicy(store, NodeId.Zero);

        Assert.Equal(Start, policy.LastStoreReceived(Key));
        Assert.Null(policy.LastStoreReceived(NodeId.FromKey("local")));
    }
}
