using System.Diagnostics;
using Dht.Protocol;
using Dht.Telemetry;

namespace Dht;

/// <summary>
/// The outcome of a BEP 44 get: the newest valid item found, or why there is none (<see cref="Status"/>: not
/// found, or no node answered).
/// </summary>
/// <param name="Target">The item's target.</param>
/// <param name="Found">True when a valid item (hash or signature checked) was found.</param>
/// <param name="Value">The value when it is a bencoded byte string, else the encoded value.</param>
/// <param name="EncodedValue">The value as bencoded on the wire.</param>
/// <param name="Seq">The version (mutable items), 0 otherwise.</param>
/// <param name="NodesWithItem">Nodes that answered with this version.</param>
public sealed record ItemGetResult(NodeId Target, bool Found, ReadOnlyMemory<byte> Value, ReadOnlyMemory<byte> EncodedValue, long Seq, int NodesWithItem)
    : IOperationResult
{
    /// <summary>Nodes the lookup asked.</summary>
    public int NodesAsked { get; init; }

    /// <summary>Nodes that answered the lookup: 0 means the network was not reached, so "not found" is not known.</summary>
    public int NodesAnswered { get; init; }

    /// <summary>Found, not found (nodes answered, none held a valid item), or no node answered.</summary>
    public ReadStatus Status => ReadResults.StatusOf(Found, false, NodesAnswered);

    string IOperationResult.Outcome => Outcomes.Of(Status);

    void IOperationResult.Describe(Activity activity) => ReadResults.Describe(activity, NodesAsked, NodesAnswered, NodesWithItem);
}
