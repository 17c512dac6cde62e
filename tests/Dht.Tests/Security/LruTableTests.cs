using System.Runtime.CompilerServices;
using Dht.Security;

namespace Dht.Tests.Security;

public sealed class LruTableTests
{
    [Fact]
    public void GetOrAdd_NewKey_AddsADefaultValue_ExistingKey_ReturnsTheSameValue()
    {
        var table = new LruTable<int, long>(4);

        ref long first = ref table.GetOrAdd(1, out bool added);
        first = 42;
        long again = table.GetOrAdd(1, out bool addedAgain);

        Assert.True(added);
        Assert.False(addedAgain);
        Assert.Equal(42, again);
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void GetOrAdd_WhenFull_ForgetsTheLeastRecentlyUsedKey()
    {
        var table = new LruTable<int, long>(3);
        table.GetOrAdd(1, out _) = 1;
        table.GetOrAdd(2, out _) = 2;
        table.GetOrAdd(3, out _) = 3;
        table.GetOrAdd(1, out _); // 2 is now the least recently used

        table.GetOrAdd(4, out bool added) = 4;

        Assert.True(added);
        Assert.Equal(3, table.Count);
        Assert.True(Unsafe.IsNullRef(ref table.Find(2)));
        Assert.Equal(1, table.Find(1));
        Assert.Equal(3, table.Find(3));
        Assert.Equal(4, table.Find(4));
    }

    [Fact]
    public void GetOrAdd_GrowsFromEmptyToTheCapacity_KeepingEveryValue()
    {
        var table = new LruTable<int, long>(20);
        Assert.True(Unsafe.IsNullRef(ref table.PeekOldest()));
        for (int key = 0; key < 20; key++)
        {
            table.GetOrAdd(key, out _) = key * 10;
        }

        table.GetOrAdd(20, out _) = 200; // full: the first key goes

        Assert.Equal(20, table.Count);
        Assert.True(Unsafe.IsNullRef(ref table.Find(0)));
        for (int key = 1; key <= 20; key++)
        {
            Assert.Equal(key * 10, table.Find(key));
        }
    }

    [Fact]
    public void Find_DoesNotChangeRecency()
    {
        var table = new LruTable<int, long>(2);
        table.GetOrAdd(1, out _) = 1;
        table.GetOrAdd(2, out _) = 2;

        Assert.Equal(1, table.Find(1));
        table.GetOrAdd(3, out _);

        Assert.True(Unsafe.IsNullRef(ref table.Find(1)));
        Assert.Equal(2, table.Find(2));
    }

    [Fact]
    public void PeekOldest_AndRemoveOldest_WalkFromTheLeastRecentlyUsed()
    {
        var table = new LruTable<int, long>(8);
        for (int i = 1; i <= 5; i++)
        {
            table.GetOrAdd(i, out _) = i * 10;
        }

        table.GetOrAdd(1, out _);

        var order = new List<long>();
        while (!Unsafe.IsNullRef(ref table.PeekOldest()))
        {
            order.Add(table.PeekOldest());
            Assert.True(table.RemoveOldest());
        }

        Assert.Equal([20, 30, 40, 50, 10], order);
        Assert.Equal(0, table.Count);
        Assert.False(table.RemoveOldest());
    }

    [Fact]
    public void Remove_FreesASlotThatTheNextKeyReuses_WithoutEvicting()
    {
        var table = new LruTable<int, long>(3);
        table.GetOrAdd(1, out _) = 1;
        table.GetOrAdd(2, out _) = 2;
        table.GetOrAdd(3, out _) = 3;

        Assert.True(table.Remove(2));
        Assert.False(table.Remove(2));
        table.GetOrAdd(4, out _) = 4;

        Assert.Equal(3, table.Count);
        Assert.Equal(1, table.Find(1));
        Assert.Equal(3, table.Find(3));
        Assert.Equal(4, table.Find(4));
    }

    [Fact]
    public void GetOrAdd_OnAFullTable_DoesConstantWorkPerNewKey_WhateverTheCapacity()
    {
        // Counts key hashes and comparisons: a table that scanned for its oldest entry would compare or
        // visit every entry on each eviction (the rate limiter did, finding its victim by a full scan).
        foreach (int capacity in new[] { 1_000, 100_000 })
        {
            var work = new WorkCounter();
            var table = new LruTable<CountingKey, long>(capacity);
            for (int i = 0; i < capacity; i++)
            {
                table.GetOrAdd(new CountingKey(i, work), out _);
            }

            work.Operations = 0;
            const int newKeys = 10_000;
            for (int i = 0; i < newKeys; i++)
            {
                table.GetOrAdd(new CountingKey(capacity + i, work), out bool added);
                Assert.True(added);
            }

            Assert.Equal(capacity, table.Count);
            Assert.True(work.Operations <= newKeys * 8, $"capacity {capacity}: {work.Operations / (double)newKeys:0.0} key operations per new key");
        }
    }

    [Fact]
    public void GetOrAdd_OnAFullTable_AllocatesNothing()
    {
        var table = new LruTable<UInt128, long>(10_000);
        for (int i = 0; i < 20_000; i++)
        {
            table.GetOrAdd((UInt128)i, out _);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 20_000; i < 60_000; i++)
        {
            table.GetOrAdd((UInt128)i, out _) = i;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private sealed class WorkCounter
    {
        public long Operations;
    }

    private readonly struct CountingKey(int value, WorkCounter work) : IEquatable<CountingKey>
    {
        public int Value { get; } = value;

        public bool Equals(CountingKey other)
        {
            work.Operations++;
            return Value == other.Value;
        }

        public override bool Equals(object? obj) => obj is CountingKey other && Equals(other);

        public override int GetHashCode()
        {
            work.Operations++;
            return Value;
        }
    }
}
