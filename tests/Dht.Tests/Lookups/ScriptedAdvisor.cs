using Dht.Lookups;
using Dht.Protocol;
using Dht.Rpc;

namespace Dht.Tests.Lookups;

/// <summary>An advisor whose timeouts and avoided nodes the test sets; every other node gets the defaults.</summary>
internal sealed class ScriptedAdvisor : ILookupAdvisor
{
    public QueryTimeouts Default { get; set; } = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2));

    public Dictionary<NodeId, QueryTimeouts> Timeouts { get; } = [];

    /// <summary>Nodes avoided until the given time.</summary>
    public Dictionary<NodeId, DateTimeOffset> AvoidedUntil { get; } = [];

    public List<NodeInfo> Asked { get; } = [];

    public QueryTimeouts TimeoutsFor(NodeInfo node)
    {
        Asked.Add(node);
        return Timeouts.TryGetValue(node.Id, out var t) ? t : Default;
    }

    public bool IsAvoided(NodeInfo node, DateTimeOffset now) => AvoidedUntil.TryGetValue(node.Id, out var until) && now < until;
}
