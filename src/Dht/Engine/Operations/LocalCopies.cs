// A node keeps its own copy of what it writes whenever it is among the k closest to the key: in a network of k
// nodes or fewer, always, and with no contacts at all (a lone node stores and serves what it puts; it hands the
// value to closer nodes as they join). The remote writes still go to the k closest other nodes, so the value
// survives this node leaving, as it does for the piped shells that join, write and go.
using Dht.Protocol;

namespace Dht.Engine.Operations;

/// <summary>When a writer keeps a copy of its own write.</summary>
internal static class LocalCopies
{
    /// <summary>
    /// True when this node is among the k closest to <paramref name="lookup"/>'s target: fewer than k other nodes
    /// answered the lookup, or the k-th closest that did is farther from the target than this node.
    /// </summary>
    public static bool IsAmongClosest(IOperationContext network, LookupRun lookup)
    {
        var results = lookup.Lookup.Results;
        return results.Count < network.K || lookup.Target.CompareDistance(network.LocalId, results[network.K - 1].Id) < 0;
    }

    /// <summary>True when the local write is kept: it completed (durably) and the policy accepted it.</summary>
    public static async Task<bool> KeptAsync(Storage.StoreResult result)
    {
        if (!result.IsAccepted)
        {
            return false;
        }

        try
        {
            await result.Durable.ConfigureAwait(true);
            return true;
        }
        catch (Storage.StorageUnavailableException)
        {
            return false; // the storage writer logged it; the copy is not kept
        }
    }
}
