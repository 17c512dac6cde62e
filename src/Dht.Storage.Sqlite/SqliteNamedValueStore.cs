// Named values (DESIGN.md section 3) in the named_values table. Every field of NamedValue is stored as it
// is: the store checks nothing, as the IEntryStore contract requires.
using System.Diagnostics.CodeAnalysis;
using Dht.Protocol;
using Microsoft.Data.Sqlite;

namespace Dht.Storage.Sqlite;

/// <summary>
/// Named values kept in a <see cref="SqliteDatabase"/>, so they outlive the process. Reads are served from
/// memory; each put's task completes once the database's writer has committed it. Not thread-safe: one
/// owner, like the database; the database must outlive the store.
/// </summary>
public sealed class SqliteNamedValueStore : INamedValueStore
{
    private static readonly string[] Columns =
        ["target", "value", "seq", "stored_at", "expires_at", "is_tombstone", "source_family", "source_address", "source_port"];

    private readonly SqliteEntryTable<NamedValue> _table;

    /// <summary>A store over <paramref name="database"/>, holding whatever an earlier run left there.</summary>
    public SqliteNamedValueStore(SqliteDatabase database)
    {
        _table = new SqliteEntryTable<NamedValue>(database, "named_values", Columns, Bind, Read);
    }

    /// <inheritdoc/>
    public int Count => _table.Count;

    /// <inheritdoc/>
    public long TotalBytes => _table.TotalBytes;

    /// <inheritdoc/>
    public bool TryGet(NodeId target, [NotNullWhen(true)] out NamedValue? entry) => _table.TryGet(target, out entry);

    /// <inheritdoc/>
    public Task Put(NamedValue entry) => _table.Put(entry);

    /// <inheritdoc/>
    public bool Remove(NodeId target) => _table.Remove(target);

    /// <summary>Every held value, served from memory (a live view).</summary>
    public IEnumerable<NamedValue> All() => _table.All();

    /// <inheritdoc/>
    public int RemoveExpired(DateTimeOffset now) => _table.RemoveExpired(now);

    private static void Bind(NamedValue value, SqliteParameterCollection parameters)
    {
        parameters["$value"].Value = SqliteValues.Blob(value.Value);
        parameters["$seq"].Value = value.Seq;
        parameters["$stored_at"].Value = SqliteValues.Ticks(value.StoredAt);
        parameters["$expires_at"].Value = SqliteValues.Ticks(value.ExpiresAt);
        parameters["$is_tombstone"].Value = value.IsTombstone ? 1 : 0;
        SqliteValues.BindEndPoint(parameters, "$source_", value.Source);
    }

    private static NamedValue Read(SqliteDataReader row) => new(
        SqliteValues.ReadNodeId(row, 0),
        SqliteValues.ReadBlob(row, 1),
        row.GetInt64(2),
        SqliteValues.ReadInstant(row, 3),
        SqliteValues.ReadInstant(row, 4),
        row.GetInt64(5) != 0,
        SqliteValues.ReadEndPoint(row, 6));
}
