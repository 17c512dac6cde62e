using Dht.Protocol;
using Dht.Storage;

namespace Dht.Tests.Storage;

/// <summary>The policies hand back the store's durability task with every put that changed it, and a completed one otherwise.</summary>
public sealed class StoreResultTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly NodeId Key = NodeId.FromKey("hello");
    private static readonly NetEndPoint Alice = NetEndPoint.FromIPv4(0x0A000001, 6881);

    [Fact]
    public void StoredAndRefreshed_CarryTheStoresTask()
    {
        var store = new SlowNamedValues();
        var policy = new NamedValuePolicy(store, NodeId.Zero);

        var stored = policy.Put(Key, "v"u8, seq: 1, ttl: null, Alice, Start);
        var refreshed = policy.Put(Key, "v"u8, seq: 1, ttl: null, Alice, Start);

        Assert.Equal(StoreOutcome.Stored, stored.Outcome);
        Assert.Same(store.Durable.Task, stored.Durable);
        Assert.Equal(StoreOutcome.Refreshed, refreshed.Outcome);
        Assert.Same(store.Durable.Task, refreshed.Durable);
        Assert.False(stored.Durable.IsCompleted);
    }

    [Fact]
    public void Refusals_HaveNothingToWaitFor()
    {
        var store = new SlowNamedValues();
        var policy = new NamedValuePolicy(store, NodeId.Zero);
        policy.Put(Key, "v"u8, seq: 5, ttl: null, Alice, Start);

        var tooOld = policy.Put(Key, "v"u8, seq: 4, ttl: null, Alice, Start);
        var tooLarge = policy.Put(Key, new byte[2000], seq: 6, ttl: null, Alice, Start);

        Assert.True(tooOld.Durable.IsCompletedSuccessfully);
        Assert.True(tooLarge.Durable.IsCompletedSuccessfully);
        Assert.False(tooOld.IsAccepted);
    }

    [Fact]
    public void AFailedWrite_FaultsTheResultsTask()
    {
        var durable = new TaskCompletionSource();
        var policy = new ItemPolicy(new SlowItems(durable), NodeId.Zero);

        var result = policy.PutImmutable("1:x"u8, Alice, Start);
        durable.SetException(new StorageUnavailableException("disk full"));

        Assert.True(result.IsAccepted);
        Assert.IsType<StorageUnavailableException>(result.Durable.Exception!.InnerException);
    }

    // Stores whose writes become durable when the test says so.
    private class SlowStore<T>(TaskCompletionSource durable) : IEntryStore<T>
        where T : class, IStoredEntry
    {
        private readonly EntryMap<T> _memory = new();

        public TaskCompletionSource Durable => durable;

        public int Count => _memory.Count;

        public long TotalBytes => _memory.TotalBytes;

        public bool TryGet(NodeId target, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out T? entry) => _memory.TryGet(target, out entry);

        public Task Put(T entry)
        {
            _memory.Set(entry);
            return durable.Task;
        }

        public bool Remove(NodeId target) => _memory.Remove(target);

        public IEnumerable<T> All() => _memory.Values;

        public int RemoveExpired(DateTimeOffset now) => _memory.RemoveExpired(now);
    }

    private sealed class SlowNamedValues() : SlowStore<NamedValue>(new TaskCompletionSource()), INamedValueStore;

    private sealed class SlowItems(TaskCompletionSource durable) : SlowStore<StoredItem>(durable), IItemStore;
}
