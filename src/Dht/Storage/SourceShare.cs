using Dht.Protocol;

namespace Dht.Storage;

/// <summary>What one source holds in a <see cref="StorageIndex"/>: how many entries, how many bytes, and which.</summary>
internal sealed class SourceShare(NetEndPoint key, long order)
{
    /// <summary>Orders shares by <see cref="Load"/>, then by when the source first stored (a stable tie-break).</summary>
    public static IComparer<SourceShare> ByLoad { get; } = Comparer<SourceShare>.Create(static (a, b) =>
    {
        int byLoad = a.Load.CompareTo(b.Load);
        return byLoad != 0 ? byLoad : a.Order.CompareTo(b.Order);
    });

    /// <summary>The source's <see cref="SourceKey"/>.</summary>
    public NetEndPoint Key { get; } = key;

    public long Order { get; } = order;

    public int Count { get; set; }

    public long Bytes { get; set; }

    /// <summary>The larger of the source's fractions of the store's item and byte limits; kept by the index.</summary>
    public double Load { get; set; }

    /// <summary>Distances from this node's id (target XOR local id) of the entries held, so the farthest is the maximum.</summary>
    public SortedSet<NodeId> Distances { get; } = [];
}
