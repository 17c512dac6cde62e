using Dht.Protocol;

namespace Dht.Engine.Maintenance;

/// <summary>One kind of held value that new contacts may be handed (named values, BEP 44 items).</summary>
internal interface IHandOverSource
{
    /// <summary>True when a node with this client version (KRPC <c>v</c>, empty when none) can take these values.</summary>
    bool Serves(ReadOnlySpan<byte> clientVersion);

    /// <summary>
    /// Appends held targets that <paramref name="node"/> is closer to than this node, looking at no more than
    /// <paramref name="maxExamined"/> held entries; returns how many it looked at.
    /// </summary>
    int HeldCloserTo(NodeId node, int maxExamined, List<NodeId> into);

    /// <summary>Gives <paramref name="node"/> the values of <paramref name="targets"/> it does not hold yet. Runs on the loop.</summary>
    Task HandOverAsync(NodeInfo node, IReadOnlyList<NodeId> targets);
}
