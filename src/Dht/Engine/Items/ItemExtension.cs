// BEP 44 as one unit: the item store policy, the handler of get and put, the client operations and the
// publisher's hourly re-put. Holders do not replicate items: the publisher's re-put reaches new nodes.
using Dht.Engine.Operations;
using Dht.Protocol;
using Dht.Storage;

namespace Dht.Engine.Items;

/// <summary>The BEP 44 parts of one node.</summary>
internal sealed class ItemExtension
{
    public ItemExtension(NodeId localId, IItemStore store, StorageLimits limits, IOperationContext network)
    {
        Policy = new ItemPolicy(store, localId, limits);
        Handler = new ItemHandler(Policy);
        Operations = new ItemOperations(network);
        Republisher = new ItemRepublisher(Operations, network.Now);
    }

    /// <summary>The items held for the network, behind BEP 44's rules.</summary>
    public ItemPolicy Policy { get; }

    public ItemHandler Handler { get; }

    public ItemOperations Operations { get; }

    public ItemRepublisher Republisher { get; }

    /// <summary>Items held here (unexpired).</summary>
    public IReadOnlyList<StoredItem> Held(DateTimeOffset now) => Policy.Live(now).ToArray();
}
