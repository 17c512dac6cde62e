using System.Runtime.InteropServices;
using Dht.Protocol;

namespace Dht.Lookups;

/// <summary>
/// The nodes one lookup knows, sorted by XOR distance to its target, closest first, held inline. Ids are unique,
/// and so are distances: XOR with a fixed target is a bijection, so a binary search by distance also finds a
/// node by id.
/// </summary>
internal sealed class LookupCandidateList
{
    private readonly List<LookupCandidate> _items;

    public LookupCandidateList(NodeId target, int capacity)
    {
        Target = target;
        _items = new List<LookupCandidate>(capacity);
    }

    public NodeId Target { get; }

    public int Count => _items.Count;

    /// <summary>The candidates in place, closest first; valid until the next insertion or removal.</summary>
    public Span<LookupCandidate> AsSpan() => CollectionsMarshal.AsSpan(_items);

    public void Insert(int index, LookupCandidate candidate) => _items.Insert(index, candidate);

    public void RemoveAt(int index) => _items.RemoveAt(index);

    /// <summary>Index of the node with <paramref name="id"/>, or -1.</summary>
    public int IndexOf(NodeId id)
    {
        int index = BinarySearch(id ^ Target);
        return index >= 0 ? index : -1;
    }

    /// <summary>Index of the node at <paramref name="distance"/>, or the bitwise complement of where it would go.</summary>
    public int BinarySearch(NodeId distance)
    {
        var span = AsSpan();
        int lo = 0;
        int hi = span.Length - 1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            int c = span[mid].Distance.CompareTo(distance);
            if (c == 0)
            {
                return mid;
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return ~lo;
    }

    /// <summary>Index of the farthest node not asked yet, or -1.</summary>
    public int FarthestNotContacted()
    {
        var span = AsSpan();
        for (int i = span.Length - 1; i >= 0; i--)
        {
            if (span[i].State == LookupNodeState.NotContacted)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// The <paramref name="k"/> closest nodes that answered, closest first, and the greatest hop depth among them.
    /// </summary>
    public NodeInfo[] Answered(int k, out int rounds)
    {
        rounds = 0;
        int count = 0;
        var span = AsSpan();
        for (int i = 0; i < span.Length && count < k; i++)
        {
            if (span[i].State == LookupNodeState.Succeeded)
            {
                count++;
            }
        }

        var results = new NodeInfo[count];
        int n = 0;
        for (int i = 0; i < span.Length && n < count; i++)
        {
            if (span[i].State == LookupNodeState.Succeeded)
            {
                results[n++] = span[i].Node;
                rounds = Math.Max(rounds, span[i].Depth);
            }
        }

        return results;
    }
}
