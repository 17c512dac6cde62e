// What a restarted node needs to be the same node again: its identity (id and ed25519 seed), the contacts
// of its routing table (to rejoin without a bootstrap node), and the named values it publishes (to go on
// re-publishing them).
//
// The seed is a secret: the database file is created readable by its owner only (see SqliteDatabase).
using System.Diagnostics.CodeAnalysis;
using Dht.Crypto;
using Dht.Protocol;
using Microsoft.Data.Sqlite;

namespace Dht.Storage.Sqlite;

/// <summary>
/// A node's own state in a <see cref="SqliteDatabase"/>. Each save is durable when it returns. Not
/// thread-safe: one owner, like the database; the database must outlive this object.
/// </summary>
public sealed class SqliteNodeState : INodeStateStore
{
    private readonly SqliteDatabase _database;
    private readonly SqliteCommand _selectIdentity;
    private readonly SqliteCommand _saveIdentity;
    private readonly SqliteCommand _selectContacts;
    private readonly SqliteCommand _deleteContacts;
    private readonly SqliteCommand _insertContact;
    private readonly SqliteCommand _selectPublished;
    private readonly SqliteCommand _savePublished;
    private readonly SqliteCommand _deletePublished;

    public SqliteNodeState(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _selectIdentity = database.Prepare("SELECT node_id, seed FROM identity WHERE singleton = 1");
        _saveIdentity = database.Prepare(
            "INSERT OR REPLACE INTO identity (singleton, node_id, seed) VALUES (1, $node_id, $seed)", "$node_id", "$seed");
        _selectContacts = database.Prepare("SELECT node_id, family, address, port, last_seen FROM contacts ORDER BY position");
        _deleteContacts = database.Prepare("DELETE FROM contacts");
        _insertContact = database.Prepare(
            "INSERT INTO contacts (position, node_id, family, address, port, last_seen) VALUES ($position, $node_id, $family, $address, $port, $last_seen)",
            "$position", "$node_id", "$family", "$address", "$port", "$last_seen");
        _selectPublished = database.Prepare("SELECT key, value, seq FROM published ORDER BY key");
        _savePublished = database.Prepare(
            "INSERT OR REPLACE INTO published (key, value, seq) VALUES ($key, $value, $seq)", "$key", "$value", "$seq");
        _deletePublished = database.Prepare("DELETE FROM published WHERE key = $key", "$key");
    }

    /// <summary>The saved node id and 32-byte ed25519 seed; false when none was saved (a first start).</summary>
    public bool TryLoadIdentity(out NodeId id, [NotNullWhen(true)] out byte[]? seed)
    {
        using var reader = _selectIdentity.ExecuteReader();
        if (!reader.Read())
        {
            id = default;
            seed = null;
            return false;
        }

        id = SqliteValues.ReadNodeId(reader, 0);
        seed = SqliteValues.ReadBlob(reader, 1);
        return true;
    }

    /// <summary>Saves the node's identity, replacing any saved before.</summary>
    public void SaveIdentity(NodeId id, ReadOnlySpan<byte> seed)
    {
        if (seed.Length != Ed25519KeyPair.SeedSize)
        {
            throw new ArgumentException($"An ed25519 seed is {Ed25519KeyPair.SeedSize} bytes, got {seed.Length}.", nameof(seed));
        }

        _saveIdentity.Parameters[0].Value = SqliteValues.Blob(id);
        _saveIdentity.Parameters[1].Value = seed.ToArray();
        _saveIdentity.ExecuteNonQuery();
    }

    /// <summary>Replaces the saved contacts with <paramref name="contacts"/> in one transaction; their order is kept.</summary>
    /// <exception cref="ArgumentException">An id appears twice (nothing is written).</exception>
    public void SaveContacts(IEnumerable<(NodeId Id, NetEndPoint EndPoint, DateTimeOffset LastSeen)> contacts)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        var list = contacts.ToList();
        var ids = new HashSet<NodeId>();
        foreach (var contact in list)
        {
            if (!ids.Add(contact.Id))
            {
                throw new ArgumentException($"Contact {contact.Id} appears twice.", nameof(contacts));
            }
        }

        _database.InTransaction(() =>
        {
            _deleteContacts.ExecuteNonQuery();
            var parameters = _insertContact.Parameters;
            for (int i = 0; i < list.Count; i++)
            {
                var (id, endPoint, lastSeen) = list[i];
                parameters["$position"].Value = i;
                parameters["$node_id"].Value = SqliteValues.Blob(id);
                SqliteValues.BindEndPoint(parameters, "$", endPoint);
                parameters["$last_seen"].Value = SqliteValues.Ticks(lastSeen);
                _insertContact.ExecuteNonQuery();
            }
        });
    }

    /// <summary>The saved contacts, in the order they were saved.</summary>
    public IReadOnlyList<(NodeId Id, NetEndPoint EndPoint, DateTimeOffset LastSeen)> LoadContacts()
    {
        var contacts = new List<(NodeId, NetEndPoint, DateTimeOffset)>();
        using var reader = _selectContacts.ExecuteReader();
        while (reader.Read())
        {
            contacts.Add((SqliteValues.ReadNodeId(reader, 0), SqliteValues.ReadEndPoint(reader, 1), SqliteValues.ReadInstant(reader, 4)));
        }

        return contacts;
    }

    /// <summary>Saves a named value this node publishes, replacing any saved under <paramref name="key"/>.</summary>
    public void SavePublished(string key, ReadOnlySpan<byte> value, long seq)
    {
        ArgumentNullException.ThrowIfNull(key);
        _savePublished.Parameters[0].Value = key;
        _savePublished.Parameters[1].Value = value.ToArray();
        _savePublished.Parameters[2].Value = seq;
        _savePublished.ExecuteNonQuery();
    }

    /// <summary>Forgets a published value; false if none was saved under <paramref name="key"/>.</summary>
    public bool RemovePublished(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _deletePublished.Parameters[0].Value = key;
        return _deletePublished.ExecuteNonQuery() > 0;
    }

    /// <summary>Every saved published value, ordered by key (UTF-8 byte order).</summary>
    public IReadOnlyList<(string Key, byte[] Value, long Seq)> LoadPublished()
    {
        var published = new List<(string, byte[], long)>();
        using var reader = _selectPublished.ExecuteReader();
        while (reader.Read())
        {
            published.Add((reader.GetString(0), SqliteValues.ReadBlob(reader, 1), reader.GetInt64(2)));
        }

        return published;
    }
}
