using Dht.Protocol;

namespace Dht.Engine.NamedValues;

/// <summary>
/// When a store for each key last arrived from another node: a key stored here within the replication interval
/// is not re-replicated by us (the paper's optimisation: the node that stored it replicated it already).
/// </summary>
internal sealed class RecentStores
{
    private readonly Dictionary<NodeId, DateTimeOffset> _lastStore = [];

    public void Received(NodeId target, DateTimeOffset now) => _lastStore[target] = now;

    public bool Contains(NodeId target) => _lastStore.ContainsKey(target);

    /// <summary>Forgets stores older than <paramref name="window"/>.</summary>
    public void Prune(DateTimeOffset now, TimeSpan window)
    {
        foreach (var (target, last) in _lastStore.ToArray())
        {
            if (now - last > window)
            {
                _lastStore.Remove(target);
            }
        }
    }
}
