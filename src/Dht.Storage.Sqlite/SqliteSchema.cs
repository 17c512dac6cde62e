// The database schema as an ordered list of migration steps.
//
// PRAGMA user_version holds how many steps a database has had. A release that changes the schema appends a
// step and never edits one already shipped: databases written by earlier releases then get exactly the
// steps they lack when opened.
//
// Encodings, shared by every table: ids are 20-byte BLOBs; instants are UTC ticks (INTEGER); endpoints are
// family (4 or 6) + address BLOB (4 or 16 bytes, network order) + port; absent bytes are empty BLOBs,
// never NULL, so that an empty value reads back as empty.
namespace Dht.Storage.Sqlite;

/// <summary>The migration steps that build the current schema from an empty database.</summary>
internal static class SqliteSchema
{
    /// <summary>Step 1: stored named values and BEP 44 items, and the node's identity, contacts and publications.</summary>
    private const string Step1 = """
        CREATE TABLE named_values (
            target BLOB NOT NULL PRIMARY KEY CHECK (length(target) = 20),
            value BLOB NOT NULL,
            seq INTEGER NOT NULL,
            stored_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            is_tombstone INTEGER NOT NULL CHECK (is_tombstone IN (0, 1)),
            source_family INTEGER NOT NULL CHECK (source_family IN (4, 6)),
            source_address BLOB NOT NULL CHECK (length(source_address) = CASE source_family WHEN 4 THEN 4 ELSE 16 END),
            source_port INTEGER NOT NULL CHECK (source_port BETWEEN 0 AND 65535)
        ) WITHOUT ROWID;
        CREATE INDEX named_values_by_expiry ON named_values (expires_at);

        CREATE TABLE items (
            target BLOB NOT NULL PRIMARY KEY CHECK (length(target) = 20),
            value BLOB NOT NULL,
            public_key BLOB NOT NULL,
            salt BLOB NOT NULL,
            seq INTEGER NOT NULL,
            signature BLOB NOT NULL,
            stored_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            source_family INTEGER NOT NULL CHECK (source_family IN (4, 6)),
            source_address BLOB NOT NULL CHECK (length(source_address) = CASE source_family WHEN 4 THEN 4 ELSE 16 END),
            source_port INTEGER NOT NULL CHECK (source_port BETWEEN 0 AND 65535)
        ) WITHOUT ROWID;
        CREATE INDEX items_by_expiry ON items (expires_at);

        CREATE TABLE identity (
            singleton INTEGER NOT NULL PRIMARY KEY CHECK (singleton = 1),
            node_id BLOB NOT NULL CHECK (length(node_id) = 20),
            seed BLOB NOT NULL CHECK (length(seed) = 32)
        );

        CREATE TABLE contacts (
            position INTEGER NOT NULL PRIMARY KEY,
            node_id BLOB NOT NULL UNIQUE CHECK (length(node_id) = 20),
            family INTEGER NOT NULL CHECK (family IN (4, 6)),
            address BLOB NOT NULL CHECK (length(address) = CASE family WHEN 4 THEN 4 ELSE 16 END),
            port INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535),
            last_seen INTEGER NOT NULL
        );

        CREATE TABLE published (
            key TEXT NOT NULL PRIMARY KEY,
            value BLOB NOT NULL,
            seq INTEGER NOT NULL
        ) WITHOUT ROWID;
        """;

    /// <summary>
    /// Step 2: no index by expiry. The stores hold every entry in memory and delete expired ones by target, so
    /// the index only cost every write an index update (about a third of a group-committed put).
    /// </summary>
    private const string Step2 = """
        DROP INDEX named_values_by_expiry;
        DROP INDEX items_by_expiry;
        """;

    /// <summary>Every step, in order; step <c>n</c> is at index <c>n - 1</c>.</summary>
    public static IReadOnlyList<string> Migrations { get; } = [Step1, Step2];
}
