// What a restarted node needs to be the same node again: its identity (id and ed25519 seed), the contacts
// of its routing table (to rejoin without a bootstrap node), and the named values it publishes (to go on
// re-publishing them).
//
// Everything is read when this is built; loads answer from memory, and saves update memory and hand a write
// to the database's writer, like the entry stores: the node's loop never waits for the disk.
//
// The seed is a secret: the database file is created readable by its owner only (see SqliteDatabase).
using System.Diagnostics.CodeAnalysis;
using Dht.Crypto;
using Dht.Protocol;
using Microsoft.Data.Sqlite;

namespace Dht.Storage.Sqlite;

/// <summary>
/// A node's own state in a <see cref="SqliteDatabase"/>. Each save's task completes once it is durable. Not
/// thread-safe: one owner, like the database; the database must outlive this object.
/// </summary>
public sealed class SqliteNodeState : INodeStateStore
{
    private readonly SqliteDatabase _database;
    private readonly SqliteCommand _saveIdentity;
    private readonly SqliteCommand _deleteContacts;
    private readonly SqliteCommand _insertContact;
    private readonly SqliteCommand _savePublished;
    private readonly SqliteCommand _deletePublished;
    private readonly SortedDictionary<string, (byte[] Value, long Seq)> _published = new(StringComparer.Ordinal);
    private (NodeId Id, byte[] Seed)? _identity;
    private (NodeId Id, NetEndPoint EndPoint, DateTimeOffset LastSeen)[] _contacts = [];

    /// <summary>Reads the node's saved identity, contacts and published keys from <paramref name="database"/>.</summary>
    /// <param name="database">The open database; the caller disposes it after the node.</param>
    public SqliteNodeState(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _saveIdentity = database.Prepare(
            "INSERT OR REPLACE INTO identity (singleton, node_id, seed) VALUES (1, $node_id, $seed)", "$node_id", "$seed");
        _deleteContacts = database.Prepare("DELETE FROM contacts");
        _insertContact = database.Prepare(
            "INSERT INTO contacts (position, node_id, family, address, port, last_seen) VALUES ($position, $node_id, $family, $address, $port, $last_seen)",
            "$position", "$node_id", "$family", "$address", "$port", "$last_seen");
        _savePublished = database.Prepare(
            "INSERT OR REPLACE INTO published (key, value, seq) VALUES ($key, $value, $seq)", "$key", "$value", "$seq");
        _deletePublished = database.Prepare("DELETE FROM published WHERE key = $key", "$key");

        database.ReadRows("SELECT node_id, seed FROM identity WHERE singleton = 1",
            row => _identity = (SqliteValues.ReadNodeId(row, 0), SqliteValues.ReadBlob(row, 1)));
        var contacts = new List<(NodeId, NetEndPoint, DateTimeOffset)>();
        database.ReadRows("SELECT node_id, family, address, port, last_seen FROM contacts ORDER BY position",
            row => contacts.Add((SqliteValues.ReadNodeId(row, 0), SqliteValues.ReadEndPoint(row, 1), SqliteValues.ReadInstant(row, 4))));
        _contacts = [.. contacts];
        database.ReadRows("SELECT key, value, seq FROM published",
            row => _published[row.GetString(0)] = (SqliteValues.ReadBlob(row, 1), row.GetInt64(2)));
    }

    /// <summary>The saved node id and 32-byte ed25519 seed; false when none was saved (a first start).</summary>
    public bool TryLoadIdentity(out NodeId id, [NotNullWhen(true)] out byte[]? seed)
    {
        if (_identity is not { } identity)
        {
            id = default;
            seed = null;
            return false;
        }

        id = identity.Id;
        seed = identity.Seed.ToArray();
        return true;
    }

    /// <summary>Saves the node's identity, replacing any saved before.</summary>
    public Task SaveIdentity(NodeId id, ReadOnlySpan<byte> seed)
    {
        if (seed.Length != Ed25519KeyPair.SeedSize)
        {
            throw new ArgumentException($"An ed25519 seed is {Ed25519KeyPair.SeedSize} bytes, got {seed.Length}.", nameof(seed));
        }

        var saved = seed.ToArray();
        _identity = (id, saved);
        return _database.Write(() =>
        {
            _saveIdentity.Parameters[0].Value = SqliteValues.Blob(id);
            _saveIdentity.Parameters[1].Value = saved;
            _saveIdentity.ExecuteNonQuery();
        });
    }

    /// <summary>Replaces the saved contacts with <paramref name="contacts"/>; their order is kept.</summary>
    /// <exception cref="ArgumentException">An id appears twice (nothing is saved).</exception>
    public Task SaveContacts(IEnumerable<(NodeId Id, NetEndPoint EndPoint, DateTimeOffset LastSeen)> contacts)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        var list = contacts.ToArray();
        var ids = new HashSet<NodeId>();
        foreach (var contact in list)
        {
            if (!ids.Add(contact.Id))
            {
                throw new ArgumentException($"Contact {contact.Id} appears twice.", nameof(contacts));
            }
        }

        _contacts = list;
        return _database.Write(() =>
        {
            _deleteContacts.ExecuteNonQuery();
            var parameters = _insertContact.Parameters;
            for (int i = 0; i < list.Length; i++)
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
    public IReadOnlyList<(NodeId Id, NetEndPoint EndPoint, DateTimeOffset LastSeen)> LoadContacts() => _contacts.ToArray();

    /// <summary>Saves a named value this node publishes, replacing any saved under <paramref name="key"/>.</summary>
    public Task SavePublished(string key, ReadOnlySpan<byte> value, long seq)
    {
        ArgumentNullException.ThrowIfNull(key);
        var saved = value.ToArray();
        _published[key] = (saved, seq);
        return _database.Write(() =>
        {
            _savePublished.Parameters[0].Value = key;
            _savePublished.Parameters[1].Value = saved;
            _savePublished.Parameters[2].Value = seq;
            _savePublished.ExecuteNonQuery();
        });
    }

    /// <summary>Forgets a published value; false if none was saved under <paramref name="key"/>.</summary>
    public bool RemovePublished(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!_published.Remove(key))
        {
            return false;
        }

        // Its task is not needed: a later save's task covers it, and a failure is logged by the writer.
        _ = _database.Write(() =>
        {
            _deletePublished.Parameters[0].Value = key;
            _deletePublished.ExecuteNonQuery();
        });
        return true;
    }

    /// <summary>Every saved published value, ordered by key (ordinal).</summary>
    public IReadOnlyList<(string Key, byte[] Value, long Seq)> LoadPublished() =>
        _published.Select(p => (p.Key, p.Value.Value.ToArray(), p.Value.Seq)).ToArray();
}
