using Dht.Protocol;

namespace Dht;

/// <summary>The outcome of a get: the newest value found, or not found (also after a delete).</summary>
/// <param name="Key">The key name.</param>
/// <param name="Target">SHA-1 of the key name.</param>
/// <param name="Found">True when a live value was found.</param>
/// <param name="Value">The value bytes (empty when not found).</param>
/// <param name="Seq">The version of the value, or of the tombstone; 0 when nothing was found.</param>
/// <param name="NodesWithValue">Nodes that answered with the winning version.</param>
/// <param name="NodesRepaired">
/// Nodes among the k closest that held an older version (or none) and are being sent the newest: the repair goes
/// on after the get has returned.
/// </param>
public sealed record GetResult(string Key, NodeId Target, bool Found, ReadOnlyMemory<byte> Value, long Seq, int NodesWithValue, int NodesRepaired)
{
    /// <summary>Nodes the lookup asked.</summary>
    public int NodesAsked { get; init; }

    /// <summary>Nodes that answered the lookup.</summary>
    public int NodesAnswered { get; init; }
}
