// BEP 44 items in the items table. Every field of StoredItem is stored as it is (the verbatim encoded v,
// key, salt, seq, signature); immutable items have empty key, salt and signature.
using System.Diagnostics.CodeAnalysis;
using Dht.Protocol;
using Microsoft.Data.Sqlite;

namespace Dht.Storage.Sqlite;

/// <summary>
/// BEP 44 items kept in a <see cref="SqliteDatabase"/>, so they outlive the process. Reads are served from
/// memory; each put's task completes once the database's writer has committed it. Not thread-safe: one
/// owner, like the database; the database must outlive the store.
/// </summary>
public sealed class SqliteItemStore : IItemStore
{
    private static readonly string[] Columns =
    [
        "target", "value", "public_key", "salt", "seq", "signature", "stored_at", "expires_at",
        "source_family", "source_address", "source_port",
    ];

    private readonly SqliteEntryTable<StoredItem> _table;

    /// <summary>A store over <paramref name="database"/>, holding whatever an earlier run left there.</summary>
    public SqliteItemStore(SqliteDatabase database)
    {
        _table = new SqliteEntryTable<StoredItem>(database, "items", Columns, Bind, Read);
    }

    /// <inheritdoc/>
    public int Count => _table.Count;

    /// <inheritdoc/>
    public long TotalBytes => _table.TotalBytes;

    /// <inheritdoc/>
    public bool TryGet(NodeId target, [NotNullWhen(true)] out StoredItem? entry) => _table.TryGet(target, out entry);

    /// <inheritdoc/>
    public Task Put(StoredItem entry) => _table.Put(entry);

    /// <inheritdoc/>
    public bool Remove(NodeId target) => _table.Remove(target);

    /// <summary>Every held item, served from memory (a live view).</summary>
    public IEnumerable<StoredItem> All() => _table.All();

    /// <inheritdoc/>
    public int RemoveExpired(DateTimeOffset now) => _table.RemoveExpired(now);

    private static void Bind(StoredItem item, SqliteParameterCollection parameters)
    {
        parameters["$value"].Value = SqliteValues.Blob(item.Value);
        parameters["$public_key"].Value = SqliteValues.Blob(item.PublicKey);
        parameters["$salt"].Value = SqliteValues.Blob(item.Salt);
        parameters["$seq"].Value = item.Seq;
        parameters["$signature"].Value = SqliteValues.Blob(item.Signature);
        parameters["$stored_at"].Value = SqliteValues.Ticks(item.StoredAt);
        parameters["$expires_at"].Value = SqliteValues.Ticks(item.ExpiresAt);
        SqliteValues.BindEndPoint(parameters, "$source_", item.Source);
    }

    private static StoredItem Read(SqliteDataReader row) => new(
        SqliteValues.ReadNodeId(row, 0),
        SqliteValues.ReadBlob(row, 1),
        SqliteValues.ReadBlob(row, 2),
        SqliteValues.ReadBlob(row, 3),
        row.GetInt64(4),
        SqliteValues.ReadBlob(row, 5),
        SqliteValues.ReadInstant(row, 6),
        SqliteValues.ReadInstant(row, 7),
        SqliteValues.ReadEndPoint(row, 8));
}
