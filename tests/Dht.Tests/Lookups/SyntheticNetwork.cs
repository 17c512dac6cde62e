using Dht.Protocol;

namespace Dht.Tests.Lookups;

/// <summary>
/// A network of nodes that exists only as data, for driving lookups without sockets or clocks. Each node holds
/// a Kademlia routing view: for every shared-prefix length with its own id, up to eight nodes picked at
/// random (a full bucket tree of k = 8), so it knows its own neighbourhood completely and the rest of the
/// keyspace sparsely, as a real node does.
/// </summary>
internal sealed class SyntheticNetwork
{
    public const int BucketSize = 8;

    private readonly int[][] _known;
    private readonly Dictionary<NodeId, int> _indexById;

    public SyntheticNetwork(int count, Random random)
    {
        Nodes = new NodeInfo[count];
        _indexById = new Dictionary<NodeId, int>(count);
        for (int i = 0; i < count; i++)
        {
            NodeId id;
            do
            {
                id = NodeId.CreateRandom(random);
            }
            while (_indexById.ContainsKey(id));

            _indexById.Add(id, i);
            Nodes[i] = new NodeInfo(id, NetEndPoint.FromIPv4(0x0A000000u + (uint)i + 1, 6881));
        }

        _known = new int[count][];
        var order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }

        var perBucket = new int[NodeId.Bits + 1];
        var known = new List<int>();
        for (int i = 0; i < count; i++)
        {
            random.Shuffle(order);
            Array.Clear(perBucket);
            known.Clear();
            foreach (int j in order)
            {
                if (j == i)
                {
                    continue;
                }

                int bucket = Nodes[i].Id.CommonPrefixLength(Nodes[j].Id);
                if (perBucket[bucket] < BucketSize)
                {
                    perBucket[bucket]++;
                    known.Add(j);
                }
            }

            _known[i] = [.. known];
        }
    }

    public NodeInfo[] Nodes { get; }

    public int IndexOf(NodeInfo node) => _indexById[node.Id];

    /// <summary>What node <paramref name="node"/> answers to a find_node for <paramref name="target"/>.</summary>
    public NodeInfo[] ClosestKnown(int node, NodeId target, int count) => Closest(_known[node], target, count);

    /// <summary>
    /// The answer of a node whose routing view holds stale entries: its <paramref name="count"/> closest live
    /// contacts, along with the dead ones it still lists among them, because it has not noticed yet.
    /// </summary>
    public NodeInfo[] ClosestKnown(int node, NodeId target, int count, bool[] dead)
    {
        var sorted = Closest(_known[node], target, int.MaxValue);
        int live = 0;
        int taken = 0;
        while (taken < sorted.Length && live < count)
        {
            if (!dead[IndexOf(sorted[taken++])])
            {
                live++;
            }
        }

        return sorted[..taken];
    }

    /// <summary>The true closest nodes to <paramref name="target"/> among those <paramref name="include"/> accepts.</summary>
    public NodeInfo[] TrueClosest(NodeId target, int count, Func<int, bool> include)
    {
        var candidates = new List<int>(Nodes.Length);
        for (int i = 0; i < Nodes.Length; i++)
        {
            if (include(i))
            {
                candidates.Add(i);
            }
        }

        return Closest([.. candidates], target, count);
    }

    private NodeInfo[] Closest(int[] indices, NodeId target, int count)
    {
        var distances = new NodeId[indices.Length];
        var nodes = new NodeInfo[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            nodes[i] = Nodes[indices[i]];
            distances[i] = nodes[i].Id ^ target;
        }

        Array.Sort(distances, nodes);
        return nodes[..Math.Min(count, nodes.Length)];
    }
}
