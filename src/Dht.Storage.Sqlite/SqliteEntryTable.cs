// The part of an IEntryStore<T> that does not depend on the kind of entry: one table keyed by target, read
// whole into memory when the store is built, and kept in step by writes handed to the database's writer.
//
// Reads never touch the disk: the table is bounded by the storage limits (10,000 entries of at most 1000
// bytes by default), so holding it is cheap, and a read under a locked or slow database answers as fast as
// the in-memory store. Each change updates memory at once and hands the writer a write that replays it on the
// table; the writer applies them in order, so the table always converges to memory. A write that fails
// leaves memory ahead of the disk: the put's task faults (its store was refused), and the entry is served
// until it expires or is replaced, but is not there after a restart.
using System.Diagnostics.CodeAnalysis;
using Dht.Protocol;
using Microsoft.Data.Sqlite;

namespace Dht.Storage.Sqlite;

/// <summary>An entry table: the columns after <c>target</c> and how one entry binds to and reads from them.</summary>
internal sealed class SqliteEntryTable<T>
    where T : class, IStoredEntry
{
    private readonly SqliteDatabase _database;
    private readonly EntryMap<T> _entries = new();
    private readonly SqliteCommand _upsert;
    private readonly SqliteCommand _delete;
    private readonly Action<T, SqliteParameterCollection> _bind;

    /// <param name="database">The database; it owns the prepared commands.</param>
    /// <param name="table">The table name.</param>
    /// <param name="columns">Every column, <c>target</c> first; <paramref name="read"/> sees them at these ordinals, <paramref name="bind"/> as parameters <c>$column</c>.</param>
    /// <param name="bind">Sets every parameter but <c>$target</c> from an entry.</param>
    /// <param name="read">Builds an entry from a row.</param>
    public SqliteEntryTable(
        SqliteDatabase database,
        string table,
        IReadOnlyList<string> columns,
        Action<T, SqliteParameterCollection> bind,
        Func<SqliteDataReader, T> read)
    {
        ArgumentNullException.ThrowIfNull(database);
        if (columns.Count == 0 || columns[0] != "target")
        {
            throw new ArgumentException("The first column is the target.", nameof(columns));
        }

        _database = database;
        _bind = bind;
        var list = string.Join(", ", columns);
        var parameters = columns.Select(c => "$" + c).ToArray();
        _upsert = database.Prepare($"INSERT OR REPLACE INTO {table} ({list}) VALUES ({string.Join(", ", parameters)})", parameters);
        _delete = database.Prepare($"DELETE FROM {table} WHERE target = $target", "$target");
        database.ReadRows($"SELECT {list} FROM {table}", row => _entries.Set(read(row)));
    }

    public int Count => _entries.Count;

    public long TotalBytes => _entries.TotalBytes;

    public bool TryGet(NodeId target, [NotNullWhen(true)] out T? entry) => _entries.TryGet(target, out entry);

    public Task Put(T entry)
    {
        _entries.Set(entry);
        return _database.Write(() =>
        {
            _upsert.Parameters["$target"].Value = SqliteValues.Blob(entry.Target);
            _bind(entry, _upsert.Parameters);
            _upsert.ExecuteNonQuery();
        });
    }

    public bool Remove(NodeId target)
    {
        if (!_entries.Remove(target))
        {
            return false;
        }

        Delete([target]);
        return true;
    }

    /// <summary>The held entries: a live view, so do not change the store while enumerating it.</summary>
    public IEnumerable<T> All() => _entries.Values;

    public int RemoveExpired(DateTimeOffset now)
    {
        var removed = new List<NodeId>();
        int count = _entries.RemoveExpired(now, removed);
        if (count > 0)
        {
            Delete(removed);
        }

        return count;
    }

    // The write's task is not needed: a later put's task covers it, and a failure is logged by the writer.
    private void Delete(IReadOnlyList<NodeId> targets) => _ = _database.Write(() =>
    {
        foreach (var target in targets)
        {
            _delete.Parameters[0].Value = SqliteValues.Blob(target);
            _delete.ExecuteNonQuery();
        }
    });
}
