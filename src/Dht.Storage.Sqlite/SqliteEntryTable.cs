// The part of an IEntryStore<T> that does not depend on the kind of entry: one table keyed by target, its
// prepared statements, and the in-memory Count and TotalBytes.
//
// Count and TotalBytes are read on every admission decision, so they are kept in memory: summed once at
// open, then moved by each write once SQLite has acknowledged it (a failed write leaves them as they were).
// Put looks up the replaced value's length first; that read and the write are two statements, which is
// safe because the store has one owner. Every write is a single autocommit statement, durable on return.
using System.Diagnostics.CodeAnalysis;
using Dht.Protocol;
using Microsoft.Data.Sqlite;

namespace Dht.Storage.Sqlite;

/// <summary>An entry table: the columns after <c>target</c> and how one entry binds to and reads from them.</summary>
internal sealed class SqliteEntryTable<T>
    where T : class, IStoredEntry
{
    private readonly SqliteCommand _select;
    private readonly SqliteCommand _selectAll;
    private readonly SqliteCommand _lengthOf;
    private readonly SqliteCommand _upsert;
    private readonly SqliteCommand _delete;
    private readonly SqliteCommand _deleteExpired;
    private readonly Action<T, SqliteParameterCollection> _bind;
    private readonly Func<SqliteDataReader, T> _read;

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

        _bind = bind;
        _read = read;
        var list = string.Join(", ", columns);
        var parameters = columns.Select(c => "$" + c).ToArray();
        _select = database.Prepare($"SELECT {list} FROM {table} WHERE target = $target", "$target");
        _selectAll = database.Prepare($"SELECT {list} FROM {table}");
        _lengthOf = database.Prepare($"SELECT length(value) FROM {table} WHERE target = $target", "$target");
        _upsert = database.Prepare($"INSERT OR REPLACE INTO {table} ({list}) VALUES ({string.Join(", ", parameters)})", parameters);
        _delete = database.Prepare($"DELETE FROM {table} WHERE target = $target RETURNING length(value)", "$target");
        _deleteExpired = database.Prepare($"DELETE FROM {table} WHERE expires_at <= $now RETURNING length(value)", "$now");

        using var totals = database.Command($"SELECT count(*), coalesce(sum(length(value)), 0) FROM {table}");
        using var reader = totals.ExecuteReader();
        reader.Read();
        Count = reader.GetInt32(0);
        TotalBytes = reader.GetInt64(1);
    }

    public int Count { get; private set; }

    public long TotalBytes { get; private set; }

    public bool TryGet(NodeId target, [NotNullWhen(true)] out T? entry)
    {
        _select.Parameters[0].Value = SqliteValues.Blob(target);
        using var reader = _select.ExecuteReader();
        entry = reader.Read() ? _read(reader) : null;
        return entry is not null;
    }

    public void Put(T entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var target = SqliteValues.Blob(entry.Target);
        _lengthOf.Parameters[0].Value = target;
        var replaced = _lengthOf.ExecuteScalar();

        _upsert.Parameters["$target"].Value = target;
        _bind(entry, _upsert.Parameters);
        _upsert.ExecuteNonQuery();

        if (replaced is long length)
        {
            TotalBytes -= length;
        }
        else
        {
            Count++;
        }

        TotalBytes += entry.Value.Length;
    }

    public bool Remove(NodeId target)
    {
        _delete.Parameters[0].Value = SqliteValues.Blob(target);
        return Delete(_delete) > 0;
    }

    public List<T> All()
    {
        var all = new List<T>(Count);
        using var reader = _selectAll.ExecuteReader();
        while (reader.Read())
        {
            all.Add(_read(reader));
        }

        return all;
    }

    public int RemoveExpired(DateTimeOffset now)
    {
        _deleteExpired.Parameters[0].Value = SqliteValues.Ticks(now);
        return Delete(_deleteExpired);
    }

    /// <summary>Runs a DELETE … RETURNING length(value) to its end (which commits it) and books the removed rows.</summary>
    private int Delete(SqliteCommand delete)
    {
        int removed = 0;
        long bytes = 0;
        using (var reader = delete.ExecuteReader())
        {
            while (reader.Read())
            {
                removed++;
                bytes += reader.GetInt64(0);
            }
        }

        Count -= removed;
        TotalBytes -= bytes;
        return removed;
    }
}
