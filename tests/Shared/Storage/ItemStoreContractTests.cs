using Dht.Protocol;
using Dht.Storage;

namespace Dht.TestSupport.Storage;

/// <summary>
/// What every <see cref="IItemStore"/> must do, whatever it keeps items in. A store is dumb: it holds
/// what it is given and checks nothing, so these tests put items with made-up keys and signatures.
/// </summary>
public abstract class ItemStoreContractTests
{
    protected static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    protected abstract IItemStore CreateStore();

    protected static NodeId Target(int index) => NodeId.FromKey($"item {index}");

    protected static StoredItem Immutable(int index, byte[]? value = null, TimeSpan? lifetime = null) =>
        new(Target(index), value ?? "3:abc"u8.ToArray(), ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, 0,
            ReadOnlyMemory<byte>.Empty, Start, Start + (lifetime ?? TimeSpan.FromHours(2)), default);

    protected static StoredItem Mutable(int index, long seq = 1, byte[]? value = null, TimeSpan? lifetime = null) =>
        new(Target(index), value ?? "i42e"u8.ToArray(), Filled(32, 0xA0), Filled(5, 0x00), seq, Filled(64, 0x5A),
            Start, Start + (lifetime ?? TimeSpan.FromHours(2)), NetEndPoint.FromIPv4(0xC0A80001, 6881));

    protected static byte[] Filled(int length, byte start) => Enumerable.Range(0, length).Select(i => (byte)(start + i)).ToArray();

    protected static void AssertSame(StoredItem expected, StoredItem actual)
    {
        Assert.Equal(expected.Target, actual.Target);
        Assert.Equal(expected.Value.ToArray(), actual.Value.ToArray());
        Assert.Equal(expected.PublicKey.ToArray(), actual.PublicKey.ToArray());
        Assert.Equal(expected.Salt.ToArray(), actual.Salt.ToArray());
        Assert.Equal(expected.Seq, actual.Seq);
        Assert.Equal(expected.Signature.ToArray(), actual.Signature.ToArray());
        Assert.Equal(expected.StoredAt, actual.StoredAt);
        Assert.Equal(expected.ExpiresAt, actual.ExpiresAt);
        Assert.Equal(expected.Source, actual.Source);
        Assert.Equal(expected.IsMutable, actual.IsMutable);
    }

    [Fact]
    public void NewStore_IsEmpty()
    {
        var store = CreateStore();

        Assert.Equal(0, store.Count);
        Assert.Equal(0, store.TotalBytes);
        Assert.Empty(store.All());
        Assert.False(store.TryGet(Target(1), out _));
    }

    [Fact]
    public void Put_ImmutableItem_RoundTripsAsImmutable()
    {
        var store = CreateStore();
        var item = Immutable(1);

        store.Put(item);

        Assert.True(store.TryGet(Target(1), out var got));
        AssertSame(item, got);
        Assert.False(got.IsMutable);
    }

    [Fact]
    public void Put_MutableItem_RoundTripsEveryField()
    {
        var store = CreateStore();
        var item = Mutable(1, seq: long.MaxValue);

        store.Put(item);

        Assert.True(store.TryGet(Target(1), out var got));
        AssertSame(item, got);
        Assert.True(got.IsMutable);
    }

    [Fact]
    public void Put_MutableItemWithoutSalt_RoundTripsAnEmptySalt()
    {
        var store = CreateStore();
        var item = Mutable(1) with { Salt = ReadOnlyMemory<byte>.Empty };

        store.Put(item);

        Assert.True(store.TryGet(Target(1), out var got));
        Assert.True(got.Salt.IsEmpty);
    }

    [Fact]
    public void Put_SameTarget_ReplacesWithoutChecking()
    {
        var store = CreateStore();
        store.Put(Mutable(1, seq: 5, value: "5:hello"u8.ToArray()));

        store.Put(Mutable(1, seq: 3, value: "i1e"u8.ToArray()));

        Assert.True(store.TryGet(Target(1), out var got));
        Assert.Equal(3, got.Seq);
        Assert.Equal(1, store.Count);
        Assert.Equal(3, store.TotalBytes);
    }

    [Fact]
    public void CountAndTotalBytes_CountEncodedValuesOnly()
    {
        var store = CreateStore();
        store.Put(Immutable(1, new byte[100]));
        store.Put(Mutable(2, value: new byte[200]));

        Assert.Equal(2, store.Count);
        Assert.Equal(300, store.TotalBytes);

        Assert.True(store.Remove(Target(1)));

        Assert.Equal(1, store.Count);
        Assert.Equal(200, store.TotalBytes);
    }

    [Fact]
    public void Remove_UnknownTarget_ReturnsFalse()
    {
        var store = CreateStore();
        store.Put(Immutable(1));

        Assert.False(store.Remove(Target(2)));
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void TryGet_ExpiredItem_IsStillReturned()
    {
        var store = CreateStore();
        store.Put(Immutable(1, lifetime: TimeSpan.FromSeconds(1)));

        Assert.True(store.TryGet(Target(1), out _));
    }

    [Fact]
    public void RemoveExpired_RemovesItemsExpiredAtOrBeforeNow()
    {
        var store = CreateStore();
        store.Put(Immutable(1, new byte[10], lifetime: TimeSpan.FromMinutes(10)));
        store.Put(Mutable(2, value: new byte[20], lifetime: TimeSpan.FromMinutes(20)));
        store.Put(Immutable(3, new byte[30], lifetime: TimeSpan.FromMinutes(30)));

        Assert.Equal(2, store.RemoveExpired(Start.AddMinutes(20)));

        Assert.Equal([Target(3)], store.All().Select(i => i.Target));
        Assert.Equal(30, store.TotalBytes);
    }

    [Fact]
    public void All_ReturnsEveryHeldItemOnce()
    {
        var store = CreateStore();
        for (int i = 0; i < 50; i++)
        {
            store.Put(i % 2 == 0 ? Immutable(i) : Mutable(i, seq: i));
        }

        store.Remove(Target(10));

        var all = store.All().ToList();
        Assert.Equal(49, all.Count);
        Assert.Equal(49, all.Select(i => i.Target).Distinct().Count());
        Assert.Equal(24, all.Count(i => !i.IsMutable));
    }

    [Fact]
    public async Task Put_ReturnsATaskThatCompletesOnceDurable()
    {
        var store = CreateStore();

        await store.Put(Immutable(1));

        Assert.True(store.TryGet(Target(1), out _));
    }

    [Fact]
    public async Task Puts_AreReadableAtOnce_BeforeTheirTasksComplete()
    {
        var store = CreateStore();

        var puts = Enumerable.Range(0, 100).Select(i => store.Put(Immutable(i))).ToArray();

        Assert.Equal(100, store.Count);
        Assert.All(Enumerable.Range(0, 100), i => Assert.True(store.TryGet(Target(i), out _)));
        await Task.WhenAll(puts);
    }

    [Fact]
    public async Task Remove_ThenPutAgain_HoldsTheNewEntry()
    {
        var store = CreateStore();
        _ = store.Put(Immutable(1));
        store.Remove(Target(1));

        await store.Put(Immutable(1));

        Assert.True(store.TryGet(Target(1), out _));
        Assert.Equal(1, store.Count);
    }
}
