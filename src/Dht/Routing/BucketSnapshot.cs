using Dht.Protocol;

namespace Dht.Routing;

/// <summary>
/// One bucket as the status display shows it. The bucket covers the ids whose first
/// <paramref name="PrefixLength"/> bits equal those of <paramref name="Prefix"/>: for bucket i that is our
/// id's first i bits followed by the opposite of our bit i, and for the last bucket our own first
/// <paramref name="Index"/> bits (it holds every deeper id).
/// </summary>
internal readonly record struct BucketSnapshot(
    int Index,
    NodeId Prefix,
    int PrefixLength,
    bool IsLast,
    int Count,
    int Good,
    int Questionable,
    int Bad,
    int Replacements,
    DateTimeOffset LastActivity)
{
    /// <summary>True when <paramref name="id"/> falls in this bucket's range.</summary>
    public bool Covers(NodeId id) => (id & NodeId.Mask(PrefixLength)) == Prefix;
}
