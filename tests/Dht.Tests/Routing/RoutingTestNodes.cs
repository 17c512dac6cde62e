using Dht.Protocol;
using Dht.Routing;

namespace Dht.Tests.Routing;

/// <summary>
/// Builds nodes at chosen distances from a fixed local id: a node sharing exactly n leading bits with the local
/// id falls in bucket n of a table deep enough, or in the last bucket otherwise.
/// </summary>
internal sealed class RoutingTestNodes
{
    public static readonly DateTimeOffset T0 = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private uint _nextAddress;

    public RoutingTestNodes(int seed = 1)
    {
        Seed = seed;
        Random = new Random(seed);
        LocalId = NodeId.CreateRandom(Random);
    }

    public int Seed { get; }

    public Random Random { get; }

    public NodeId LocalId { get; }

    public RoutingTable NewTable(RoutingTableOptions? options = null) =>
        new(LocalId, options ?? new RoutingTableOptions(), T0);

    /// <summary>A new node sharing exactly <paramref name="commonPrefix"/> leading bits with the local id.</summary>
    public NodeInfo WithPrefix(int commonPrefix) => new(IdWithPrefix(commonPrefix), NextEndPoint());

    public NodeId IdWithPrefix(int commonPrefix) => LocalId.RandomWithPrefix(commonPrefix, Random);

    /// <summary>A uniformly random node: half of them share no bit with the local id.</summary>
    public NodeInfo AnyNode() => new(NodeId.CreateRandom(Random), NextEndPoint());

    public NetEndPoint NextEndPoint() => NetEndPoint.FromIPv4(0x0A000001u + _nextAddress++, 6881);

    /// <summary>Inserts <paramref name="count"/> new nodes with the given prefix, asserting each is inserted.</summary>
    public List<NodeInfo> Fill(RoutingTable table, int commonPrefix, int count, bool isResponse, DateTimeOffset now)
    {
        var nodes = new List<NodeInfo>(count);
        for (int i = 0; i < count; i++)
        {
            var node = WithPrefix(commonPrefix);
            Assert.Equal(InsertOutcome.Inserted, table.Heard(node, isResponse, now).Outcome);
            nodes.Add(node);
        }

        return nodes;
    }

    /// <summary>
    /// Fills bucket 0 (the half of the keyspace away from the local id) with k nodes, then splits it off by
    /// inserting one node on the local id's side, so bucket 0 is full and can no longer split.
    /// </summary>
    public List<NodeInfo> FillFarBucket(RoutingTable table, bool isResponse, DateTimeOffset now)
    {
        var far = Fill(table, 0, table.Options.BucketSize, isResponse, now);
        Fill(table, 1, 1, isResponse: true, now);
        Assert.Equal(2, table.BucketCount);
        return far;
    }
}
