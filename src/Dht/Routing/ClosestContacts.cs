using System.Runtime.InteropServices;
using Dht.Protocol;

namespace Dht.Routing;

/// <summary>The search behind <see cref="RoutingTable.FindClosest(NodeId, int, List{NodeInfo}, NodeId?)"/>, over the table's buckets.</summary>
internal static class ClosestContacts
{
    /// <summary>
    /// Appends to <paramref name="into"/> up to <paramref name="count"/> usable contacts closest to
    /// <paramref name="target"/> (whose bucket is <paramref name="home"/>), closest first. Allocates nothing once
    /// <paramref name="scratch"/> has grown.
    /// </summary>
    public static void Find(
        List<KBucket> buckets,
        int home,
        NodeId target,
        int count,
        NodeId? excluded,
        DateTimeOffset? verifiedAt,
        RoutingTableOptions options,
        List<ClosestCandidate> scratch,
        List<NodeInfo> into)
    {
        // Distances fall in bands by bucket. A target whose bucket is not the last shares one more bit with the
        // contacts of its own bucket than with those of any deeper bucket, so its own bucket is the closest band;
        // then come the deeper buckets together, then the bucket just above, and so on. Whole bands are
        // collected until there are enough candidates; only then is a sort needed, and only over what was
        // collected (for most targets: one bucket).
        scratch.Clear();
        int last = buckets.Count - 1;
        buckets[home].CollectUsable(target, excluded, verifiedAt, options, scratch);
        if (home == last || scratch.Count < count)
        {
            for (int i = home + 1; i <= last; i++)
            {
                buckets[i].CollectUsable(target, excluded, verifiedAt, options, scratch);
            }
        }

        for (int i = home - 1; i >= 0 && scratch.Count < count; i--)
        {
            buckets[i].CollectUsable(target, excluded, verifiedAt, options, scratch);
        }

        var candidates = CollectionsMarshal.AsSpan(scratch);
        candidates.Sort();
        int n = Math.Min(count, candidates.Length);
        for (int i = 0; i < n; i++)
        {
            into.Add(candidates[i].Node);
        }

        scratch.Clear();
    }
}
