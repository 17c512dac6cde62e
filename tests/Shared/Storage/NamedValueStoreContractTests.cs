using Dht.Protocol;
using Dht.Storage;

namespace Dht.TestSupport.Storage;

/// <summary>
/// What every <see cref="INamedValueStore"/> must do, whatever it keeps values in. A store is dumb: it
/// holds what it is given and checks nothing, so these tests also put things a policy would refuse.
/// </summary>
public abstract class NamedValueStoreContractTests
{
    protected static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    protected abstract INamedValueStore CreateStore();

    protected static NodeId Target(int index) => NodeId.FromKey($"key {index}");

    protected static NamedValue Value(int index, byte[]? bytes = null, long seq = 1, TimeSpan? lifetime = null, NetEndPoint source = default) =>
        new(Target(index), bytes ?? [(byte)index, 0, 0xFF], seq, Start, Start + (lifetime ?? TimeSpan.FromHours(1)), IsTombstone: false, source);

    protected static void AssertSame(NamedValue expected, NamedValue actual)
    {
        Assert.Equal(expected.Target, actual.Target);
        Assert.Equal(expected.Value.ToArray(), actual.Value.ToArray());
        Assert.Equal(expected.Seq, actual.Seq);
        Assert.Equal(expected.StoredAt, actual.StoredAt);
        Assert.Equal(expected.ExpiresAt, actual.ExpiresAt);
        Assert.Equal(expected.IsTombstone, actual.IsTombstone);
        Assert.Equal(expected.Source, actual.Source);
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
    public void Put_ThenTryGet_ReturnsEveryField()
    {
        var store = CreateStore();
        var value = new NamedValue(
            Target(1), new byte[] { 0, 1, 2, 0, 255 }, long.MaxValue, Start, Start.AddHours(24), IsTombstone: false,
            NetEndPoint.FromIPv4(0x0A000001, 6881));

        store.Put(value);

        Assert.True(store.TryGet(Target(1), out var got));
        AssertSame(value, got);
    }

    [Fact]
    public void Put_IPv6Source_RoundTrips()
    {
        var store = CreateStore();
        Assert.True(NetEndPoint.TryParse("[2001:db8::1]:6881", out var source));
        var value = Value(1, source: source);

        store.Put(value);

        Assert.True(store.TryGet(Target(1), out var got));
        Assert.Equal(source, got.Source);
    }

    [Fact]
    public void Put_EmptySource_RoundTrips()
    {
        var store = CreateStore();

        store.Put(Value(1));

        Assert.True(store.TryGet(Target(1), out var got));
        Assert.True(got.Source.IsEmpty);
    }

    [Fact]
    public void Put_Tombstone_RoundTripsWithEmptyValue()
    {
        var store = CreateStore();
        var tombstone = Value(1, bytes: []) with { IsTombstone = true, Seq = 9 };

        store.Put(tombstone);

        Assert.True(store.TryGet(Target(1), out var got));
        AssertSame(tombstone, got);
        Assert.Equal(0, store.TotalBytes);
    }

    [Fact]
    public void Put_FullSizeBinaryValue_RoundTrips()
    {
        var store = CreateStore();
        var bytes = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();

        store.Put(Value(1, bytes));

        Assert.True(store.TryGet(Target(1), out var got));
        Assert.Equal(bytes, got.Value.ToArray());
        Assert.Equal(1000, store.TotalBytes);
    }

    [Fact]
    public void Put_SameTarget_ReplacesWithoutChecking()
    {
        var store = CreateStore();
        store.Put(Value(1, [1, 2, 3], seq: 5));

        store.Put(Value(1, [9], seq: 2));

        Assert.True(store.TryGet(Target(1), out var got));
        Assert.Equal(2, got.Seq);
        Assert.Equal(new byte[] { 9 }, got.Value.ToArray());
        Assert.Equal(1, store.Count);
        Assert.Equal(1, store.TotalBytes);
    }

    [Fact]
    public void CountAndTotalBytes_TrackPutsAndRemoves()
    {
        var store = CreateStore();
        store.Put(Value(1, new byte[10]));
        store.Put(Value(2, new byte[20]));
        store.Put(Value(3, new byte[30]));

        Assert.Equal(3, store.Count);
        Assert.Equal(60, store.TotalBytes);

        store.Remove(Target(2));

        Assert.Equal(2, store.Count);
        Assert.Equal(40, store.TotalBytes);
    }

    [Fact]
    public void Remove_HeldTarget_RemovesItAndReturnsTrue()
    {
        var store = CreateStore();
        store.Put(Value(1));
        store.Put(Value(2));

        Assert.True(store.Remove(Target(1)));

        Assert.False(store.TryGet(Target(1), out _));
        Assert.True(store.TryGet(Target(2), out _));
    }

    [Fact]
    public void Remove_UnknownTarget_ReturnsFalse()
    {
        var store = CreateStore();
        store.Put(Value(1));

        Assert.False(store.Remove(Target(2)));
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void TryGet_ExpiredValue_IsStillReturned()
    {
        // Expiry is the policy's business; the store keeps values until RemoveExpired.
        var store = CreateStore();
        store.Put(Value(1, lifetime: TimeSpan.FromSeconds(1)));

        Assert.True(store.TryGet(Target(1), out _));
    }

    [Fact]
    public void RemoveExpired_RemovesValuesExpiredAtOrBeforeNow()
    {
        var store = CreateStore();
        store.Put(Value(1, new byte[10], lifetime: TimeSpan.FromMinutes(10)));
        store.Put(Value(2, new byte[20], lifetime: TimeSpan.FromMinutes(20)));
        store.Put(Value(3, new byte[30], lifetime: TimeSpan.FromMinutes(30)));

        Assert.Equal(2, store.RemoveExpired(Start.AddMinutes(20)));

        Assert.False(store.TryGet(Target(1), out _));
        Assert.False(store.TryGet(Target(2), out _));
        Assert.True(store.TryGet(Target(3), out _));
        Assert.Equal(1, store.Count);
        Assert.Equal(30, store.TotalBytes);
    }

    [Fact]
    public void RemoveExpired_NothingExpired_ReturnsZero()
    {
        var store = CreateStore();
        store.Put(Value(1));

        Assert.Equal(0, store.RemoveExpired(Start));
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void All_ReturnsEveryHeldValueOnce()
    {
        var store = CreateStore();
        for (int i = 0; i < 50; i++)
        {
            store.Put(Value(i, lifetime: TimeSpan.FromMinutes(i + 1)));
        }

        store.Put(Value(7, [7, 7]));
        store.Remove(Target(8));

        var all = store.All().ToList();
        Assert.Equal(49, all.Count);
        Assert.Equal(49, all.Select(v => v.Target).Distinct().Count());
        Assert.DoesNotContain(all, v => v.Target == Target(8));
        Assert.Equal(new byte[] { 7, 7 }, all.Single(v => v.Target == Target(7)).Value.ToArray());
    }

    [Fact]
    public async Task Put_ReturnsATaskThatCompletesOnceDurable()
    {
        var store = CreateStore();

        await store.Put(Value(1));

        Assert.True(store.TryGet(Target(1), out _));
    }

    [Fact]
    public async Task Puts_AreReadableAtOnce_BeforeTheirTasksComplete()
    {
        var store = CreateStore();

        var puts = Enumerable.Range(0, 100).Select(i => store.Put(Value(i))).ToArray();

        Assert.Equal(100, store.Count);
        Assert.All(Enumerable.Range(0, 100), i => Assert.True(store.TryGet(Target(i), out _)));
        await Task.WhenAll(puts);
    }

    [Fact]
    public async Task Remove_ThenPutAgain_HoldsTheNewEntry()
    {
        var store = CreateStore();
        _ = store.Put(Value(1));
        store.Remove(Target(1));

        await store.Put(Value(1));

        Assert.True(store.TryGet(Target(1), out _));
        Assert.Equal(1, store.Count);
    }
}
