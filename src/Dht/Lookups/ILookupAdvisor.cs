using Dht.Protocol;
using Dht.Rpc;

namespace Dht.Lookups;

/// <summary>
/// What a lookup learns about nodes beyond their answers: how long to wait for each, and which to leave alone
/// because they failed us recently. The node's RPC layer answers both from the round trips and failures it has
/// seen; tests answer with fixed values. Called on the node's loop only.
/// </summary>
internal interface ILookupAdvisor
{
    /// <summary>The timeouts a query to <paramref name="node"/> sent now gets (the RPC layer applies the same).</summary>
    QueryTimeouts TimeoutsFor(NodeInfo node);

    /// <summary>True when <paramref name="node"/> failed to answer us recently and must not be asked now.</summary>
    bool IsAvoided(NodeInfo node, DateTimeOffset now);
}
