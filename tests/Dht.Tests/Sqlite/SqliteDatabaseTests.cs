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
        Assert.True((long)database.Pragma("busy_timeout")! > 0);
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
        using var database = new SqliteDatabase(_directory.File("dht.db"));
        var state = new SqliteNodeState(database);
        using var insert = database.Command("INSERT INTO published (key, value, seq) VALUES ('a', x'01', 1)");

        Assert.Throws<InvalidOperationException>(() => database.InTransaction(() =>
        {
            insert.ExecuteNonQuery();
            throw new InvalidOperationException("abandoned");
        }));

        Assert.Empty(state.LoadPublished());
        state.SavePublished("b", [2], 2); // the connection is usable again: no transaction was left open
        Assert.Single(state.LoadPublished());
    }

    [Fact]
    public void AcknowledgedPuts_SurviveTheProcessVanishingWithoutClosing()
    {
        // What a crash leaves on disk is the database and WAL files as they were after the last acknowledged
        // write: copying them while the connection is still open (never closed, never checkpointed on close)
        // reproduces that. Killing a real process with SIGKILL is tested with the command-line process tests.
        const int Puts = 500;
        var livePath = _directory.File("dht.db");
        var crashedPath = Path.Combine(Directory.CreateDirectory(_directory.File("crashed")).FullName, SqliteDatabase.FileName);
        using (var live = new SqliteDatabase(livePath))
        {
            var store = new SqliteNamedValueStore(live);
            for (int i = 0; i < Puts; i++)
            {
                store.Put(Value(i));
            }

            Assert.True(new FileInfo(livePath + "-wal").Length > 0);
            File.Copy(livePath, crashedPath);
            File.Copy(livePath + "-wal", crashedPath + "-wal");
        }

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

    private static NamedValue Value(int index) =>
        new(NodeId.FromKey($"key {index}"), Enumerable.Repeat((byte)index, 100).ToArray(), index, Start, Start.AddHours(24), false, default);
}
