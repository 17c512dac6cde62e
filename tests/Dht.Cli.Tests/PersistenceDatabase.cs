using Microsoft.Data.Sqlite;

namespace Dht.Cli.Tests;

/// <summary>
/// Reads a node's <c>dht.db</c> from outside the node, as an operator with the sqlite3 shell would: a
/// connection of its own (no pool, so disposing closes the file), next to the node's if it is running (WAL
/// lets a reader in while the node writes).
/// </summary>
internal sealed class PersistenceDatabase : IDisposable
{
    private readonly SqliteConnection _connection;

    static PersistenceDatabase() => SQLitePCL.Batteries_V2.Init();

    private PersistenceDatabase(string path)
    {
        Assert.True(File.Exists(path), $"no database at {path}");
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWrite, // a reader of a WAL database writes its shared-memory index
            Pooling = false,
        }.ToString());
        _connection.Open();
    }

    public static PersistenceDatabase Open(string path) => new(path);

    /// <summary>
    /// Copies the database and its write-ahead log, as a crash left them, to <paramref name="directory"/>
    /// and returns the copy's path. The shared-memory index is left behind: SQLite rebuilds it from the log,
    /// which is the recovery a restarted node goes through.
    /// </summary>
    public static string CopyAsCrashed(string path, string directory)
    {
        Directory.CreateDirectory(directory);
        string copy = Path.Combine(directory, Path.GetFileName(path));
        File.Copy(path, copy);
        if (File.Exists(path + "-wal"))
        {
            File.Copy(path + "-wal", copy + "-wal");
        }

        return copy;
    }

    /// <summary>The rows of <c>PRAGMA integrity_check</c>: just "ok" for a sound database.</summary>
    public IReadOnlyList<string> IntegrityCheck() => Strings("PRAGMA integrity_check");

    public long Count(string table)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>The targets of the named values held, as lowercase hex.</summary>
    public HashSet<string> NamedValueTargets()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT target FROM named_values";
        using var reader = command.ExecuteReader();
        var targets = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            targets.Add(Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(0)));
        }

        return targets;
    }

    /// <summary>The node's published keys with their values (as UTF-8 text) and versions.</summary>
    public List<(string Key, string Value, long Seq)> Published()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT key, value, seq FROM published ORDER BY key";
        using var reader = command.ExecuteReader();
        var published = new List<(string, string, long)>();
        while (reader.Read())
        {
            published.Add((reader.GetString(0), System.Text.Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(1)), reader.GetInt64(2)));
        }

        return published;
    }

    /// <summary>The saved node id, as lowercase hex.</summary>
    public string SavedNodeId()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT node_id FROM identity";
        return Convert.ToHexStringLower((byte[])command.ExecuteScalar()!);
    }

    public void Dispose() => _connection.Dispose();

    /// <summary>Waits until <paramref name="table"/> in the database at <paramref name="path"/> has at least <paramref name="count"/> rows.</summary>
    public static async Task WaitForRowsAsync(string path, string table, long count, string what, CancellationToken cancellationToken)
    {
        // The node writes on its own schedule and nothing outside the file announces it: poll, with the
        // test's bound as the limit.
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        long seen = 0;
        while (true)
        {
            using (var database = Open(path))
            {
                seen = database.Count(table);
            }

            if (seen >= count)
            {
                return;
            }

            try
            {
                await timer.WaitForNextTickAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"{what}: {table} has {seen} row(s), expected at least {count}");
            }
        }
    }

    private List<string> Strings(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
