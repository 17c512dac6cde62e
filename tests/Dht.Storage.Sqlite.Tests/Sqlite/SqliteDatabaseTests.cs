using Dht.Protocol;
using Dht.Storage;
using Dht.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Dht.Tests.Sqlite;

public sealed class SqliteDatabaseTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Step1 = SqliteSchema.Migrations[0];
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void OpenInDirectory_MissingDirectory_CreatesItAndDhtDbInside()
    {
        var dataDirectory = _directory.File("data");

        using var database = SqliteDatabase.OpenInDirectory(dataDirectory);

        Assert.Equal(Path.Combine(dataDirectory, SqliteDatabase.FileName), database.Path);
        Assert.True(File.Exists(database.Path));
    }

    [Fact]
    public void Open_ConfiguresWalFullSyncForeignKeysAndBusyTimeout()
    {
        using var database = new SqliteDatabase(_directory.File("dht.db"));

        Assert.Equal("wal", database.Pragma("journal_mode"));
        Assert.Equal(2L, database.Pragma("synchronous")); // FULL
        Assert.Equal(1L, database.Pragma("foreign_keys"));
        Assert.Equal((long)new SqliteStorageOptions().BusyTimeout.TotalMilliseconds, database.Pragma("busy_timeout"));
    }

    [Fact]
    public void Open_NewDatabase_HasEveryMigrationStep()
    {
        using var database = new SqliteDatabase(_directory.File("dht.db"));

        Assert.Equal(SqliteSchema.Migrations.Count, database.SchemaVersion);
        Assert.Equal((long)SqliteSchema.Migrations.Count, database.Pragma("user_version"));
    }

    [Fact]
    public void Open_NewFile_IsReadableAndWritableByItsOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var database = new SqliteDatabase(_directory.File("dht.db"));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(database.Path));
    }

    [Fact]
    public void Open_WithAStepAddedByALaterRelease_AppliesOnlyThatStepAndKeepsTheData()
    {
        var path = _directory.File("dht.db");
        using (var first = new SqliteDatabase(path, [Step1]))
        {
            new SqliteNamedValueStore(first).Put(Value(1));
        }

        string[] upgraded = [Step1, "CREATE TABLE extra (x INTEGER NOT NULL); INSERT INTO extra VALUES (42);"];
        using (var second = new SqliteDatabase(path, upgraded))
        {
            Assert.Equal(2, second.SchemaVersion);
            Assert.Equal(2L, second.Pragma("user_version"));
            Assert.Equal(1, new SqliteNamedValueStore(second).Count);
            using var command = second.Command("SELECT x FROM extra");
            Assert.Equal(42L, command.ExecuteScalar());
        }

        // Had step 2 run again, creating its table a second time would throw.
        using var third = new SqliteDatabase(path, upgraded);
        Assert.Equal(2, third.SchemaVersion);
    }

    [Fact]
    public void Open_ADatabaseOfTheFirstRelease_DropsTheExpiryIndexes_AndKeepsTheData()
    {
        var path = _directory.File("dht.db");
        using (var first = new SqliteDatabase(path, [Step1]))
        {
            new SqliteNamedValueStore(first).Put(Value(1));
        }

        using var current = new SqliteDatabase(path);

        Assert.Equal(SqliteSchema.Migrations.Count, current.SchemaVersion);
        Assert.Equal(1, new SqliteNamedValueStore(current).Count);
        using var indexes = current.Command("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE '%by_expiry'");
        Assert.Equal(0L, indexes.ExecuteScalar());
    }

    [Fact]
    public void Open_WhenAStepFails_RollsThatStepBackAndKeepsThePreviousVersion()
    {
        var path = _directory.File("dht.db");
        using (new SqliteDatabase(path, [Step1]))
        {
        }

        Assert.Throws<SqliteException>(() => new SqliteDatabase(path, [Step1, "CREATE TABLE half (x INTEGER); CREATE TABLE broken ("]));

        using var database = new SqliteDatabase(path, [Step1]);
        Assert.Equal(1L, database.Pragma("user_version"));
        using var command = database.Command("SELECT count(*) FROM sqlite_master WHERE name = 'half'");
        Assert.Equal(0L, command.ExecuteScalar());
    }

    [Fact]
    public void Open_DatabaseOfANewerRelease_IsRefused()
    {
        var path = _directory.File("dht.db");
        using (new SqliteDatabase(path, [Step1, "CREATE TABLE later (x INTEGER);"]))
        {
        }

        var error = Assert.Throws<InvalidOperationException>(() => new SqliteDatabase(path, [Step1]));
        Assert.Contains("schema version 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InTransaction_WhenTheBodyThrows_WritesNothing()
    {
        var path = _directory.File("dht.db");
        using (var database = new SqliteDatabase(path))
        {
            using var insert = database.Command("INSERT INTO published (key, value, seq) VALUES ('a', x'01', 1)");

            Assert.Throws<InvalidOperationException>(() => database.InTransaction(() =>
            {
                insert.ExecuteNonQuery();
                throw new InvalidOperationException("abandoned");
            }));

            // The connection is usable again: no transaction was left open.
            new SqliteNodeState(database).SavePublished("b", [2], 2);
        }

        using var reopened = new SqliteDatabase(path);
        Assert.Equal(["b"], new SqliteNodeState(reopened).LoadPublished().Select(p => p.Key));
    }

    [Fact]
    public async Task AcknowledgedPuts_SurviveTheProcessVanishingWithoutClosing()
    {
        // What a crash leaves on disk is the database and WAL files as they were after the last acknowledged
        // write: copying them while the connection is still open (never closed, never checkpointed on close)
        // reproduces that. Killing a real process with SIGKILL is tested with the command-line process tests.
        const int Puts = 500;
        using var live = new SqliteDatabase(_directory.File("dht.db"));
        var store = new SqliteNamedValueStore(live);
        var acknowledged = new Task[Puts];
        for (int i = 0; i < Puts; i++)
        {
            acknowledged[i] = store.Put(Value(i));
        }

        await Task.WhenAll(acknowledged);
        Assert.True(new FileInfo(live.Path + "-wal").Length > 0);
        var crashedPath = SqliteFiles.CopyAsCrashed(live.Path, _directory.File("crashed"));

        using var recovered = new SqliteDatabase(crashedPath);

        Assert.Equal(["ok"], recovered.CheckIntegrity());
        var recoveredStore = new SqliteNamedValueStore(recovered);
        Assert.Equal(Puts, recoveredStore.Count);
        Assert.Equal(Puts * 100L, recoveredStore.TotalBytes);
        for (int i = 0; i < Puts; i++)
        {
            Assert.True(recoveredStore.TryGet(NodeId.FromKey($"key {i}"), out var value));
            Assert.Equal(Value(i).Value.ToArray(), value.Value.ToArray());
        }
    }

    [Fact]
    public void OpenInDirectory_WhileAnotherDatabaseHasItOpen_IsRefusedAsInUse()
    {
        var dataDirectory = _directory.File("data");
        using var first = SqliteDatabase.OpenInDirectory(dataDirectory);

        var error = Assert.Throws<DataDirectoryInUseException>(() => SqliteDatabase.OpenInDirectory(dataDirectory));

        Assert.Equal($"data directory {Path.GetFullPath(dataDirectory)} is in use by another dht process", error.Message);
        Assert.Equal(Path.GetFullPath(dataDirectory), error.DataDirectory);
    }

    [Fact]
    public void OpenInDirectory_AfterTheHolderIsDisposed_Succeeds()
    {
        var dataDirectory = _directory.File("data");
        using (var first = SqliteDatabase.OpenInDirectory(dataDirectory))
        {
            new SqliteNodeState(first).SavePublished("kept", [1], 1);
        }

        using var second = SqliteDatabase.OpenInDirectory(dataDirectory);
        Assert.Single(new SqliteNodeState(second).LoadPublished());
    }

    [Fact]
    public async Task Dispose_CommitsEveryWriteHandedOverBeforeIt()
    {
        var path = _directory.File("dht.db");
        Task last;
        using (var database = new SqliteDatabase(path))
        {
            var store = new SqliteNamedValueStore(database);
            for (int i = 0; i < 100; i++)
            {
                _ = store.Put(Value(i));
            }

            last = store.Put(Value(100));
        }

        await last;
        using var reopened = new SqliteDatabase(path);
        Assert.Equal(101, new SqliteNamedValueStore(reopened).Count);
    }

    [Fact]
    public async Task Write_WhileAnotherConnectionHoldsTheWriteLock_Faults_AndTheNextBatchCommits()
    {
        using var database = new SqliteDatabase(_directory.File("dht.db"));
        var store = new SqliteNamedValueStore(database);
        await store.Put(Value(1));

        // Another process would hold the lock the same way: a write transaction on its own connection.
        using (var other = OpenOther(database.Path))
        {
            using var begin = other.CreateCommand();
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();

            var refused = store.Put(Value(2));

            var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => refused);
            Assert.IsType<SqliteException>(error.InnerException);
            Assert.True(store.TryGet(Value(2).Target, out _)); // reads are served from memory all along
        }

        await store.Put(Value(3));
        var copy = SqliteFiles.CopyAsCrashed(database.Path, _directory.File("crashed"));
        using var recovered = new SqliteDatabase(copy);
        var held = new SqliteNamedValueStore(recovered).All().Select(v => v.Target).ToHashSet();
        Assert.Equal(2, held.Count);
        Assert.Contains(Value(1).Target, held);
        Assert.Contains(Value(3).Target, held);
    }

    [Fact]
    public async Task Write_WhenTooManyAreWaiting_FailsAtOnce()
    {
        using var database = new SqliteDatabase(_directory.File("dht.db"), new SqliteStorageOptions { MaxPendingWrites = 1 });
        var store = new SqliteNamedValueStore(database);
        using var writing = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var blocked = database.Write(() =>
        {
            writing.Set();
            release.Wait();
        });
        writing.Wait(); // the writer is inside the first batch: nothing else is waiting

        Task waiting, refused;
        try
        {
            waiting = store.Put(Value(1));
            refused = store.Put(Value(2));
        }
        finally
        {
            release.Set();
        }

        Assert.True(refused.IsFaulted);
        Assert.IsType<StorageUnavailableException>(refused.Exception!.InnerException);
        await blocked;
        await waiting;
    }

    [Fact]
    public async Task Writes_ArriveInBatches_EachCommittedOnce()
    {
        using var database = new SqliteDatabase(_directory.File("dht.db"));
        var store = new SqliteNamedValueStore(database);
        using var writing = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var first = database.Write(() =>
        {
            writing.Set();
            release.Wait();
        });
        writing.Wait();

        // Handed over while the writer is busy: they wait together and share the next commit.
        Task[] puts;
        bool completedEarly;
        try
        {
            puts = Enumerable.Range(0, 50).Select(i => store.Put(Value(i))).ToArray();
            completedEarly = puts[0].IsCompleted;
        }
        finally
        {
            release.Set();
        }

        Assert.False(completedEarly);
        Assert.All(puts, p => Assert.Same(puts[0], p));
        await first;
        await puts[0];
    }

    private static SqliteConnection OpenOther(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static NamedValue Value(int index) =>
        new(NodeId.FromKey($"key {index}"), Enumerable.Repeat((byte)index, 100).ToArray(), index, Start, Start.AddHours(24), false, default);
}
