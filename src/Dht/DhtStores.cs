using Dht.Storage;

namespace Dht;

/// <summary>
/// Where a node keeps what it holds. Every part is optional: what is not given lives in memory and ends
/// with the process. The caller owns the stores (and any database behind them) and disposes them after the node.
/// </summary>
public sealed class DhtStores
{
    /// <summary>Named values held for the network.</summary>
    public INamedValueStore? NamedValues { get; init; }

    /// <summary>BEP 44 items held for the network.</summary>
    public IItemStore? Items { get; init; }

    /// <summary>Identity, contacts and published keys, kept across restarts.</summary>
    public INodeStateStore? State { get; init; }
}
