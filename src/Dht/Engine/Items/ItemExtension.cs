// BEP 44 as one unit: the item store policy, the handler of get and put, the client operations, the
// publisher's hourly re-put and the hand-over to new contacts. Holders do not replicate items: the publisher's
// re-put reaches new nodes, and a new contact closer to an item is handed it on its first answer.
using Dht.Engine.Operations;
using Dht.Protocol;
using Dht.Storage;

namespace Dht.Engine.Items;

/// <summary>The BEP 44 parts of one node.</summary>
internal sealed class ItemExtension
{
    /// <param name="localId">This node's id.</param>
    /// <param name="store">The items held.</param>
    /// <param name="limits">Storage limits.</param>
    /// <param name="network">Lookups, writes and the clock.</param>
    /// <param name="keepsCopies">False for a node that holds nothing for others (BEP 43 read-only).</param>
    public ItemExtension(NodeId localId, IItemStore store, StorageLimits limits, IOperationContext network, bool keepsCopies = true)
    {
        Policy = new ItemPolicy(store, localId, limits);
        Handler = new ItemHandler(Policy);
        Operations = new ItemOperations(network, Policy, keepsCopies);
        Republisher = new ItemRepublisher(Operations, network.Now);
        HandOver = new ItemHandOver(Policy, network);
    }

    /// <summary>The items held for the network, behind BEP 44's rules.</summary>
    public ItemPolicy Policy { get; }

    public ItemHandler Handler { get; }

    public ItemOperations Operations { get; }

    public ItemRepublisher Republisher { get; }

    public ItemHandOver HandOver { get; }

    /// <summary>Items held here (unexpired).</summary>
    public IReadOnlyList<StoredItem> Held(DateTimeOffset now) => Policy.Live(now).ToArray();
}
