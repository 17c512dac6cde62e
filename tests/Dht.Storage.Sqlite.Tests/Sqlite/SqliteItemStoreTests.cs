using Dht.Protocol;
using Dht.Storage;
using Dht.Storage.Sqlite;

namespace Dht.Tests.Sqlite;

public sealed class SqliteItemStoreTests : ItemStoreContractTests, IDisposable
{
    private readonly TemporaryDirectory _directory = new();
    private readonly List<SqliteDatabase> _databases = [];

    protected override IItemStore CreateStore() => new SqliteItemStore(Open());

    public void Dispose()
    {
        foreach (var database in _databases)
        {
            database.Dispose();
        }

        _directory.Dispose();
    }

    [Fact]
    public void Reopen_AfterDispose_HasSameItemsCountAndTotalBytes()
    {
        var expected = new List<StoredItem>
        {
            Immutable(1, new byte[100]),
            Mutable(2, seq: long.MaxValue, value: new byte[200]),
            Mutable(3, seq: -1) with { Salt = ReadOnlyMemory<byte>.Empty, Source = NetEndPoint.Parse("[::1]:1") },
        };

        using (var database = new SqliteDatabase(_directory.File("reopen.db")))
        {
            var store = new SqliteItemStore(database);
            foreach (var item in expected)
            {
                store.Put(item);
            }
        }

        using (var database = new SqliteDatabase(_directory.File("reopen.db")))
        {
            var store = new SqliteItemStore(database);

            Assert.Equal(3, store.Count);
            Assert.Equal(304, store.TotalBytes);
            foreach (var item in expected)
            {
                Assert.True(store.TryGet(item.Target, out var got));
                AssertSame(item, got);
            }
        }
    }

    [Fact]
    public void ItemsAndNamedValues_ShareADatabaseWithoutMixing()
    {
        var database = Open();
        var items = new SqliteItemStore(database);
        var values = new SqliteNamedValueStore(database);

        items.Put(Immutable(1, new byte[5]));

        Assert.Equal(1, items.Count);
        Assert.Equal(0, values.Count);
        Assert.Empty(values.All());
    }

    private SqliteDatabase Open()
    {
        var database = new SqliteDatabase(_directory.File($"store{_databases.Count}.db"));
        _databases.Add(database);
        return database;
    }
}
