// The SQLite file that keeps a node's state across restarts: the values and items it stores for others, and
// its own identity, contacts and publications.
//
// Durability: WAL journal with synchronous=FULL, so a statement that has returned is in the fsync'ed WAL and
// survives a crash or a power cut (NORMAL would survive only a crash of the process). Each write outside
// InTransaction is its own autocommit transaction.
//
// One connection with one owner, the node's event loop: nothing here is thread-safe, and there is no pool
// (disposing closes the file, so a reopened database sees everything). Commands are prepared once, by the
// stores at construction, and reused; the database disposes them.
//
// Schema: PRAGMA user_version counts the applied steps of SqliteSchema.Migrations. Opening applies the
// missing steps, each in one transaction with its version bump, so an interrupted upgrade leaves the
// previous version whole. A database from a newer release (more steps than known) is refused.
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Dht.Storage.Sqlite;

/// <summary>A node's SQLite database: open it once, build the stores and node state over it, dispose it last.</summary>
public sealed class SqliteDatabase : IDisposable
{
    /// <summary>The file name used by <see cref="OpenInDirectory"/>.</summary>
    public const string FileName = "dht.db";

    /// <summary>How long a statement waits for a lock held by another connection (another process) before failing.</summary>
    private const int BusyTimeoutMilliseconds = 5000;

    private readonly SqliteConnection _connection;
    private readonly List<SqliteCommand> _commands = [];
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _rollback;
    private bool _disposed;

    static SqliteDatabase() => SQLitePCL.Batteries_V2.Init();

    /// <summary>Opens the database at <paramref name="path"/>, creating it (readable by its owner only) if missing, and brings its schema up to date.</summary>
    public SqliteDatabase(string path)
        : this(path, SqliteSchema.Migrations)
    {
    }

    /// <summary>Opens with a given list of migration steps (tests of schema upgrades).</summary>
    internal SqliteDatabase(string path, IReadOnlyList<string> migrations)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(migrations);
        Path = System.IO.Path.GetFullPath(path);
        CreateOwnerOnly(Path);

        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
            DefaultTimeout = BusyTimeoutMilliseconds / 1000,
        }.ToString());
        try
        {
            _connection.Open();
            Configure();
            _begin = Prepare("BEGIN IMMEDIATE");
            _commit = Prepare("COMMIT");
            _rollback = Prepare("ROLLBACK");
            SchemaVersion = Migrate(migrations);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The full path of the database file.</summary>
    public string Path { get; }

    /// <summary>The number of schema steps the database has (after opening: all that this release knows).</summary>
    public int SchemaVersion { get; }

    /// <summary>Opens <c>dht.db</c> in <paramref name="dataDirectory"/>, creating the directory (owner-only) if missing.</summary>
    public static SqliteDatabase OpenInDirectory(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        if (!Directory.Exists(dataDirectory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(dataDirectory);
            }
            else
            {
                Directory.CreateDirectory(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        return new SqliteDatabase(System.IO.Path.Combine(dataDirectory, FileName));
    }

    /// <summary>A prepared command owned by this database; set its parameters' values before each execution.</summary>
    internal SqliteCommand Prepare(string sql, params string[] parameterNames)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameterNames)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        _commands.Add(command);
        return command;
    }

    /// <summary>A one-off command that the caller disposes.</summary>
    internal SqliteCommand Command(string sql)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    /// <summary>Runs <paramref name="body"/> as one transaction: all of its writes are durable, or none is.</summary>
    internal void InTransaction(Action body)
    {
        ArgumentNullException.ThrowIfNull(body);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _begin.ExecuteNonQuery();
        try
        {
            body();
            _commit.ExecuteNonQuery();
        }
        catch
        {
            // Some errors (a full disk, for one) roll the transaction back already.
            if (!InAutocommit)
            {
                _rollback.ExecuteNonQuery();
            }

            throw;
        }
    }

    /// <summary>The rows of <c>PRAGMA integrity_check</c>: just "ok" for a sound database.</summary>
    internal IReadOnlyList<string> CheckIntegrity()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var command = _connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    /// <summary>The value of a pragma, for tests of the connection's settings.</summary>
    internal object? Pragma(string name) => Scalar("PRAGMA " + name);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var command in _commands)
        {
            command.Dispose();
        }

        _commands.Clear();
        _connection.Dispose();
    }

    private bool InAutocommit => SQLitePCL.raw.sqlite3_get_autocommit(_connection.Handle) != 0;

    private static void CreateOwnerOnly(string path)
    {
        // SQLite creates the -wal and -shm files with the permissions of the database file, so creating the
        // file first is enough to keep the identity seed away from other users.
        if (File.Exists(path) || OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            using var file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        catch (IOException) when (File.Exists(path))
        {
            // Created by someone else in between: SQLite opens it as it is.
        }
    }

    private void Configure()
    {
        var journal = Scalar("PRAGMA journal_mode = WAL") as string;
        if (!string.Equals(journal, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"SQLite refused WAL mode for '{Path}' (journal mode is '{journal}').");
        }

        Scalar("PRAGMA synchronous = FULL");
        Scalar("PRAGMA foreign_keys = ON");
        Scalar(string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}"));
    }

    private int Migrate(IReadOnlyList<string> migrations)
    {
        int version = Convert.ToInt32(Scalar("PRAGMA user_version"), CultureInfo.InvariantCulture);
        if (version > migrations.Count)
        {
            throw new InvalidOperationException(
                $"'{Path}' has schema version {version}, newer than this release understands ({migrations.Count}).");
        }

        for (int step = version; step < migrations.Count; step++)
        {
            var sql = migrations[step];
            int next = step + 1;
            InTransaction(() =>
            {
                Execute(sql);
                Execute(string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {next}"));
            });
        }

        return migrations.Count;
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
