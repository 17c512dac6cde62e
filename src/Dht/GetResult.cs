using System.Diagnostics;
using Dht.Protocol;
using Dht.Telemetry;

namespace Dht;

/// <summary>
/// The outcome of a named get: the newest value found, or why there is none (<see cref="Status"/>: not found,
/// deleted, or no node answered).
/// </summary>
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
    : IOperationResult
{
    /// <summary>Nodes the lookup asked.</summary>
    public int NodesAsked { get; init; }

    /// <summary>Nodes that answered the lookup: 0 means the network was not reached, so "not found" is not known.</summary>
    public int NodesAnswered { get; init; }

    /// <summary>
    /// Found, deleted (the newest version is a tombstone), not found (nodes answered, none held it), or no node
    /// answered. A value this node holds itself is found even when no node answered.
    /// </summary>
    public ReadStatus Status => ReadResults.StatusOf(Found, Seq > 0, NodesAnswered);

    string IOperationResult.Outcome => Outcomes.Of(Status);

    void IOperationResult.Describe(Activity activity) => ReadResults.Describe(activity, NodesAsked, NodesAnswered, NodesWithValue);
}
