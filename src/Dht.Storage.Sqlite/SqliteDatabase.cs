// The SQLite file that keeps a node's state across restarts: the values and items it stores for others, and
// its own identity, contacts and publications.
//
// Durability: WAL journal with synchronous=FULL, so a committed transaction is in the fsync'ed WAL and
// survives a crash or a power cut (NORMAL would survive only a crash of the process).
//
// Threads: the stores read everything into memory when they are built and serve reads from there; every
// change is handed to the SqliteWriter, whose thread commits them in batches (group commit). After opening,
// the connection is used by that thread only; the gate below serialises it with what runs at open (schema,
// prepared commands, loading the tables) and with the test helpers. So the node's loop never waits for the
// disk, and a locked database (another process holding the write lock past SqliteStorageOptions.BusyTimeout)
// or a failing disk fails the writes of one batch, not the node. The write lock is taken with
// sqlite3_exec("BEGIN IMMEDIATE") so that SQLite's busy timeout alone bounds the wait: Microsoft.Data.Sqlite
// retries busy statements itself for its command timeout, whole seconds at least.
//
// One node per database: opening takes an exclusive lock on a file beside it (DataDirectoryLock).
//
// Commands are prepared once, by the stores at construction, and reused; the database disposes them.
//
// Schema: PRAGMA user_version counts the applied steps of SqliteSchema.Migrations. Opening applies the
// missing steps, each in one transaction with its version bump, so an interrupted upgrade leaves the
// previous version whole. A database from a newer release (more steps than known) is refused.
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dht.Storage.Sqlite;

/// <summary>A node's SQLite database: open it once, build the stores and node state over it, dispose it last.</summary>
public sealed class SqliteDatabase : IDisposable
{
    /// <summary>The file name used by <see cref="OpenInDirectory"/>.</summary>
    public const string FileName = "dht.db";

    // Microsoft.Data.Sqlite's own retry of busy statements, in whole seconds (0 would retry forever). Only a
    // backstop: the write lock is taken with SQLite's busy timeout (SqliteStorageOptions.BusyTimeout), and
    // statements run under it do not wait.
    private const int CommandTimeoutSeconds = 1;

    // See Configure.
    private const int PageCacheKiB = 16 * 1024;
    private const int WalCheckpointPages = 8192;

    private readonly object _connectionGate = new();
    private readonly DataDirectoryLock _lock;
    private readonly SqliteConnection _connection;
    private readonly List<SqliteCommand> _commands = [];
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _rollback;
    private readonly SqliteWriter _writer;
    private bool _disposed;

    static SqliteDatabase() => SQLitePCL.Batteries_V2.Init();

    /// <summary>
    /// Opens the database at <paramref name="path"/>, creating it (readable by its owner only) if missing, and
    /// brings its schema up to date. Holds the database's lock until disposed.
    /// </summary>
    /// <exception cref="DataDirectoryInUseException">Another open database (in any process) holds it.</exception>
    public SqliteDatabase(string path, SqliteStorageOptions? options = null, ILogger? logger = null)
        : this(path, SqliteSchema.Migrations, options, logger)
    {
    }

    /// <summary>Opens with a given list of migration steps (tests of schema upgrades).</summary>
    internal SqliteDatabase(string path, IReadOnlyList<string> migrations, SqliteStorageOptions? options = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(migrations);
        options ??= new SqliteStorageOptions();
        options.Validate();
        Path = System.IO.Path.GetFullPath(path);
        _lock = DataDirectoryLock.Acquire(Path);
        try
        {
            CreateOwnerOnly(Path);
            _connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = Path,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Cache = SqliteCacheMode.Private,
                Pooling = false,
                DefaultTimeout = CommandTimeoutSeconds,
            }.ToString());
            _connection.Open();
            Configure(options.BusyTimeout);
            _commit = Prepare("COMMIT");
            _rollback = Prepare("ROLLBACK");
            SchemaVersion = Migrate(migrations);
        }
        catch
        {
            _connection?.Dispose();
            _lock.Dispose();
            throw;
        }

        _writer = new SqliteWriter(CommitBatch, options.MaxPendingWrites, Path, logger ?? NullLogger.Instance);
    }

    /// <summary>The full path of the database file.</summary>
    public string Path { get; }

    /// <summary>The number of schema steps the database has (after opening: all that this release knows).</summary>
    public int SchemaVersion { get; }

    /// <summary>Opens <c>dht.db</c> in <paramref name="dataDirectory"/>, creating the directory (owner-only) if missing.</summary>
    /// <exception cref="DataDirectoryInUseException">Another node (in any process) has the directory open.</exception>
    public static SqliteDatabase OpenInDirectory(string dataDirectory, SqliteStorageOptions? options = null, ILogger? logger = null)
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

        return new SqliteDatabase(System.IO.Path.Combine(dataDirectory, FileName), options, logger);
    }

    /// <summary>
    /// A prepared command owned by this database, for the stores to run in their writes (on the writer's
    /// thread); set its parameters' values before each execution.
    /// </summary>
    internal SqliteCommand Prepare(string sql, params string[] parameterNames)
    {
        lock (_connectionGate)
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
    }

    /// <summary>Runs a query at once (loading a store when it is built) and hands each row to <paramref name="row"/>.</summary>
    internal void ReadRows(string sql, Action<SqliteDataReader> row)
    {
        ArgumentNullException.ThrowIfNull(row);
        lock (_connectionGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                row(reader);
            }
        }
    }

    /// <summary>
    /// Hands <paramref name="write"/> to the writer, which runs it on its thread inside the next batch's
    /// transaction. Returns the batch's task: completed once durable, faulted with
    /// <see cref="StorageUnavailableException"/> if the batch failed or too many writes are waiting.
    /// </summary>
    internal Task Write(Action write)
    {
        ArgumentNullException.ThrowIfNull(write);
        return _writer.Enqueue(write);
    }

    /// <summary>A task completed once every write handed over so far is durable (or has failed).</summary>
    internal Task Flushed() => _writer.Flushed();

    /// <summary>A one-off command that the caller disposes. Tests only: it bypasses the writer, so use it while no write is pending.</summary>
    internal SqliteCommand Command(string sql)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    /// <summary>Runs <paramref name="body"/> as one transaction, at once and on this thread: all of its writes are durable, or none is.</summary>
    internal void InTransaction(Action body)
    {
        ArgumentNullException.ThrowIfNull(body);
        lock (_connectionGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            BeginImmediate();
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
    }

    /// <summary>The rows of <c>PRAGMA integrity_check</c>: just "ok" for a sound database.</summary>
    internal IReadOnlyList<string> CheckIntegrity()
    {
        var rows = new List<string>();
        ReadRows("PRAGMA integrity_check", row => rows.Add(row.GetString(0)));
        return rows;
    }

    /// <summary>The value of a pragma, for tests of the connection's settings.</summary>
    internal object? Pragma(string name)
    {
        lock (_connectionGate)
        {
            return Scalar("PRAGMA " + name);
        }
    }

    /// <summary>Commits every write handed over (blocking until they are durable), then closes the file and releases its lock.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _writer.Dispose();
        lock (_connectionGate)
        {
            _disposed = true;
            foreach (var command in _commands)
            {
                command.Dispose();
            }

            _commands.Clear();
            _connection.Dispose();
        }

        _lock.Dispose();
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

    // The writer's batch: one transaction, so one fsync, for every write in it.
    private void CommitBatch(List<Action> writes) => InTransaction(() =>
    {
        foreach (var write in writes)
        {
            write();
        }
    });

    // Waits for the write lock for the connection's busy timeout only (see the file header).
    private void BeginImmediate()
    {
        int rc = SQLitePCL.raw.sqlite3_exec(_connection.Handle, "BEGIN IMMEDIATE");
        if (rc != SQLitePCL.raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
        }
    }

    private void Configure(TimeSpan busyTimeout)
    {
        var journal = Scalar("PRAGMA journal_mode = WAL") as string;
        if (!string.Equals(journal, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"SQLite refused WAL mode for '{Path}' (journal mode is '{journal}').");
        }

        Scalar("PRAGMA synchronous = FULL");
        Scalar("PRAGMA foreign_keys = ON");

        // Group commit writes rows at random keys, so each batch dirties pages all over the tables. A page cache
        // that holds a full database (about 10 MB at the default limits) spares re-reading them, and checkpointing
        // the WAL every 8,192 pages (32 MiB) rather than SQLite's 1,000 lets a page rewritten by many batches be
        // copied into the database once (docs/BENCHMARKS.md). The WAL file stays under about that size.
        Scalar(string.Create(CultureInfo.InvariantCulture, $"PRAGMA cache_size = -{PageCacheKiB}"));
        Scalar(string.Create(CultureInfo.InvariantCulture, $"PRAGMA wal_autocheckpoint = {WalCheckpointPages}"));
        Scalar(string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {(int)busyTimeout.TotalMilliseconds}"));
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
