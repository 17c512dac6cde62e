// The named-value extension (DESIGN.md section 3) as one unit: its store policy, the handler of find_value and
// store, the client operations, the hourly replication and the hand-over to new contacts. The node wires it in
// only when DhtOptions.EnableNamedValues is on.
using Dht.Engine.Maintenance;
using Dht.Engine.Operations;
using Dht.Protocol;
using Dht.Storage;

namespace Dht.Engine.NamedValues;

/// <summary>The parts of the named-value extension of one node.</summary>
internal sealed class NamedValueExtension
{
    /// <param name="localId">This node's id.</param>
    /// <param name="store">The values held.</param>
    /// <param name="limits">Storage limits.</param>
    /// <param name="state">Where published keys are kept across restarts; none when null.</param>
    /// <param name="network">Lookups, writes and the clock.</param>
    /// <param name="keepsCopies">False for a node that holds nothing for others (BEP 43 read-only).</param>
    public NamedValueExtension(
        NodeId localId, INamedValueStore store, StorageLimits limits, INodeStateStore? state, IOperationContext network, bool keepsCopies = true)
    {
        Policy = new NamedValuePolicy(store, localId, limits);
        var published = new PublishedValues(state);
        Handler = new NamedValueHandler(Policy, limits);
        Operations = new NamedValueOperations(network, Policy, published, limits, keepsCopies);
        Replicator = new NamedValueReplicator(Operations, Policy, published, network);
        HandOver = new NamedValueHandOver(Policy, network);
    }

    /// <summary>The values held for the network, behind the versioning rules.</summary>
    public NamedValuePolicy Policy { get; }

    public NamedValueHandler Handler { get; }

    public NamedValueOperations Operations { get; }

    public NamedValueReplicator Replicator { get; }

    public NamedValueHandOver HandOver { get; }

    /// <summary>Values held here (unexpired), for the shell's <c>keys</c>.</summary>
    public IReadOnlyList<NamedValue> Held(DateTimeOffset now) => Policy.Live(now).ToArray();
}
