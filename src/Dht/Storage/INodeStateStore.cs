using System.Diagnostics.CodeAnalysis;
using Dht.Protocol;

namespace Dht.Storage;

/// <summary>
/// What a restarted node needs to come back as itself: its identity (node id and signing key), the contacts
/// it knew (so it rejoins without a bootstrap address), and the named values it published (so it goes on
/// re-publishing them). Called on the node's loop only.
/// </summary>
/// <remarks>
/// Loads answer from what was read when the store was opened, updated by the saves since. Saves return at
/// once with a task that completes when the change is durable (faulted with
/// <see cref="StorageUnavailableException"/> when it could not be written); changes become durable in the
/// order they were made.
/// </remarks>
public interface INodeStateStore
{
    /// <summary>The saved node id and 32-byte ed25519 seed, if any.</summary>
    bool TryLoadIdentity(out NodeId id, [NotNullWhen(true)] out byte[]? seed);

    /// <summary>Saves the node id and ed25519 seed.</summary>
    Task SaveIdentity(NodeId id, ReadOnlySpan<byte> seed);

    /// <summary>Replaces the saved contacts.</summary>
    Task SaveContacts(IEnumerable<(NodeId Id, NetEndPoint EndPoint, DateTimeOffset LastSeen)> contacts);

    /// <summary>The saved contacts, most useful first.</summary>
    IReadOnlyList<(NodeId Id, NetEndPoint EndPoint, DateTimeOffset LastSeen)> LoadContacts();

    /// <summary>Records a value this node published (an empty value is a delete's tombstone).</summary>
    Task SavePublished(string key, ReadOnlySpan<byte> value, long seq);

    /// <summary>Forgets a published key; false if it was not saved. Durable in order with the saves.</summary>
    bool RemovePublished(string key);

    /// <summary>Everything this node published.</summary>
    IReadOnlyList<(string Key, byte[] Value, long Seq)> LoadPublished();
}
