using Dht.Protocol;
using Dht.Routing;

namespace Dht.Tests.Routing;

public sealed class RoutingTableRefreshTests
{
    private static readonly DateTimeOffset T0 = RoutingTestNodes.T0;
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(15);
    private readonly RoutingTestNodes _nodes = new(seed: 11);

    [Fact]
    public void BucketsNeedingRefresh_BeforeTheInterval_ReturnsNothing()
    {
        var table = BuildFourBuckets();
        var targets = new List<NodeId> { NodeId.Zero };

        table.BucketsNeedingRefresh(T0 + Interval - TimeSpan.FromSeconds(1), _nodes.Random, targets);

        Assert.Empty(targets);
    }

    [Fact]
    public void BucketsNeedingRefresh_AfterTheInterval_ReturnsOneTargetInsideEachStaleBucket()
    {
        var table = BuildFourBuckets();
        var buckets = table.Snapshot(T0);
        var targets = new List<NodeId>();

        table.BucketsNeedingRefresh(T0 + Interval, _nodes.Random, targets);

        Assert.Equal(table.BucketCount, targets.Count);
        for (int i = 0; i < targets.Count; i++)
        {
            Assert.Equal(i, table.BucketIndexOf(targets[i]));
            Assert.True(buckets[i].Covers(targets[i]));
        }
    }

    [Fact]
    public void BucketsNeedingRefresh_ForTheLastBucket_SpreadsTargetsOverItsWholeRange()
    {
        var table = BuildFourBuckets();
        int last = table.BucketCount - 1;
        var deeperThanLast = 0;
        var targets = new List<NodeId>();
        for (int i = 0; i < 64; i++)
        {
            table.BucketsNeedingRefresh(T0 + (Interval * (i + 1)), _nodes.Random, targets);
            var target = targets[^1];
            Assert.Equal(last, table.BucketIndexOf(target));
            if (_nodes.LocalId.CommonPrefixLength(target) > last)
            {
                deeperThanLast++;
            }
        }

        Assert.InRange(deeperThanLast, 1, 63);
    }

    [Fact]
    public void BucketsNeedingRefresh_HandsOutEachTargetOnceUntilTheIntervalPassesAgain()
    {
        var table = BuildFourBuckets();
        var targets = new List<NodeId>();
        table.BucketsNeedingRefresh(T0 + Interval, _nodes.Random, targets);
        Assert.Equal(4, targets.Count);

        table.BucketsNeedingRefresh(T0 + Interval + TimeSpan.FromSeconds(1), _nodes.Random, targets);
        Assert.Empty(targets);

        table.BucketsNeedingRefresh(T0 + (Interval * 2), _nodes.Random, targets);
        Assert.Equal(4, targets.Count);
    }

    [Fact]
    public void Touch_ResetsTheRefreshOfTheBucketCoveringTheTarget()
    {
        var table = BuildFourBuckets();
        table.Touch(_nodes.IdWithPrefix(1), T0 + TimeSpan.FromMinutes(10));
        var targets = new List<NodeId>();

        table.BucketsNeedingRefresh(T0 + Interval, _nodes.Random, targets);

        Assert.Equal([0, 2, 3], targets.Select(table.BucketIndexOf));
    }

    [Fact]
    public void Heard_FromAContact_ResetsTheRefreshOfItsBucket()
    {
        var table = BuildFourBuckets();
        var contact = table.Contacts.First(c => table.BucketIndexOf(c.Id) == 2);
        table.Heard(contact.Node, isResponse: false, T0 + TimeSpan.FromMinutes(10));
        var targets = new List<NodeId>();

        table.BucketsNeedingRefresh(T0 + Interval, _nodes.Random, targets);

        Assert.Equal([0, 1, 3], targets.Select(table.BucketIndexOf));
    }

    [Fact]
    public void BucketsNeedingRefresh_OnANewTable_RefreshesItsOnlyBucketAfterTheInterval()
    {
        var table = _nodes.NewTable();
        var targets = new List<NodeId>();

        table.BucketsNeedingRefresh(T0 + Interval, _nodes.Random, targets);

        Assert.Single(targets);
    }

    /// <summary>Buckets 0, 1 and 2 hold nodes with those prefix lengths; bucket 3 holds the deeper ones.</summary>
    private RoutingTable BuildFourBuckets()
    {
        var table = _nodes.NewTable();
        _nodes.Fill(table, 0, 8, isResponse: true, T0);
        _nodes.Fill(table, 1, 8, isResponse: true, T0);
        _nodes.Fill(table, 2, 8, isResponse: true, T0);
        _nodes.Fill(table, 3, 1, isResponse: true, T0);
        Assert.Equal(4, table.BucketCount);
        return table;
    }
}
