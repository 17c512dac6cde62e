using Dht.Protocol;
using Dht.Storage;
using Dht.Storage.Sqlite;

namespace Dht.Tests.Sqlite;

public sealed class SqliteNamedValueStoreTests : NamedValueStoreContractTests, IDisposable
{
    private readonly TemporaryDirectory _directory = new();
    private readonly List<SqliteDatabase> _databases = [];

    protected override INamedValueStore CreateStore() => new SqliteNamedValueStore(Open());

    public void Dispose()
    {
        foreach (var database in _databases)
        {
            database.Dispose();
        }

        _directory.Dispose();
    }

    [Fact]
    public void Reopen_AfterDispose_HasSameValuesCountAndTotalBytes()
    {
        var v6 = NetEndPoint.Parse("[2001:db8::7]:6881");
        var expected = new List<NamedValue>
        {
            Value(1, [1, 2, 3], seq: long.MinValue, source: NetEndPoint.FromIPv4(0x0A000001, 6881)),
            Value(2, new byte[1000], seq: 7, lifetime: TimeSpan.FromDays(1), source: v6),
            Value(3, bytes: []) with { IsTombstone = true, Seq = long.MaxValue },
        };

        using (var database = new SqliteDatabase(_directory.File("reopen.db")))
        {
            var store = new SqliteNamedValueStore(database);
            foreach (var value in expected)
            {
                store.Put(value);
            }

            store.Put(Value(4));
            store.Remove(Target(4));
        }

        using (var database = new SqliteDatabase(_directory.File("reopen.db")))
        {
            var store = new SqliteNamedValueStore(database);

            Assert.Equal(3, store.Count);
            Assert.Equal(1003, store.TotalBytes);
            foreach (var value in expected)
            {
                Assert.True(store.TryGet(value.Target, out var got));
                AssertSame(value, got);
            }

            Assert.Equal(3, store.All().Count());
        }
    }

    [Fact]
    public void Reopen_AfterRemoveExpired_KeepsOnlyTheRest()
    {
        using (var database = new SqliteDatabase(_directory.File("expired.db")))
        {
            var store = new SqliteNamedValueStore(database);
            store.Put(Value(1, new byte[10], lifetime: TimeSpan.FromMinutes(1)));
            store.Put(Value(2, new byte[20], lifetime: TimeSpan.FromMinutes(2)));
            store.Put(Value(3, new byte[40], lifetime: TimeSpan.FromMinutes(3)));
            Assert.Equal(2, store.RemoveExpired(Start.AddMinutes(2)));
        }

        using (var database = new SqliteDatabase(_directory.File("expired.db")))
        {
            var store = new SqliteNamedValueStore(database);

            Assert.Equal(1, store.Count);
            Assert.Equal(40, store.TotalBytes);
            Assert.Equal([Target(3)], store.All().Select(v => v.Target));
        }
    }

    [Fact]
    public void Put_ValueSlicedFromLargerArray_StoresOnlyTheSlice()
    {
        var buffer = new byte[] { 9, 1, 2, 3, 9 };
        using (var database = new SqliteDatabase(_directory.File("slice.db")))
        {
            new SqliteNamedValueStore(database).Put(Value(1) with { Value = buffer.AsMemory(1, 3) });
        }

        using var reopened = new SqliteDatabase(_directory.File("slice.db"));
        var store = new SqliteNamedValueStore(reopened);
        Assert.True(store.TryGet(Target(1), out var got));
        Assert.Equal(new byte[] { 1, 2, 3 }, got.Value.ToArray());
        Assert.Equal(3, store.TotalBytes);
    }

    [Fact]
    public async Task PutRemoveAndExpiry_ReachTheDiskInTheOrderTheyWereMade()
    {
        using var database = new SqliteDatabase(_directory.File("order.db"));
        var store = new SqliteNamedValueStore(database);
        _ = store.Put(Value(1, lifetime: TimeSpan.FromMinutes(1)));
        _ = store.Put(Value(2));
        store.Remove(Target(2));
        _ = store.Put(Value(2, [7], seq: 2));
        _ = store.Put(Value(3));
        store.RemoveExpired(Start.AddMinutes(1));
        await store.Put(Value(4));

        using var crashed = new SqliteDatabase(SqliteFiles.CopyAsCrashed(database.Path, _directory.File("crashed")));
        var recovered = new SqliteNamedValueStore(crashed);
        Assert.Equal([Target(2), Target(3), Target(4)], recovered.All().Select(v => v.Target).Order());
        Assert.True(recovered.TryGet(Target(2), out var replaced));
        Assert.Equal(2, replaced.Seq);
    }

    private SqliteDatabase Open()
    {
        var database = new SqliteDatabase(_directory.File($"store{_databases.Count}.db"));
        _databases.Add(database);
        return database;
    }
}
