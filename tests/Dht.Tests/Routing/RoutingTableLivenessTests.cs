using Dht.Protocol;
using Dht.Routing;

namespace Dht.Tests.Routing;

/// <summary>What the table learns from answers and silences, and what it hands to other nodes.</summary>
public sealed class RoutingTableLivenessTests
{
    private static readonly DateTimeOffset T0 = RoutingTestNodes.T0;
    private readonly RoutingTestNodes _nodes = new(seed: 17);

    [Fact]
    public void Heard_WithARoundTrip_FeedsTheContactsEstimate_WhichCountsOnlyAtThatAddress()
    {
        var table = _nodes.NewTable();
        var node = _nodes.AnyNode();

        table.Heard(node, isResponse: true, T0, TimeSpan.FromMilliseconds(80));
        table.Heard(node, isResponse: false, T0.AddSeconds(1), TimeSpan.FromMilliseconds(999)); // a query: no sample
        table.Heard(node, isResponse: true, T0.AddSeconds(2), TimeSpan.FromMilliseconds(160));

        var estimate = table.RoundTripOf(node.Id, node.EndPoint);
        Assert.Equal(2, estimate.Samples);
        Assert.Equal(TimeSpan.FromMilliseconds(90), estimate.Smoothed);
        Assert.False(table.RoundTripOf(node.Id, _nodes.NextEndPoint()).IsMeasured);
        Assert.False(table.RoundTripOf(_nodes.AnyNode().Id, node.EndPoint).IsMeasured);
    }

    [Fact]
    public void AContactThatMovesToAnotherAddress_StartsItsEstimateAfresh()
    {
        var table = _nodes.NewTable();
        var node = _nodes.AnyNode();
        table.Heard(node, isResponse: true, T0, TimeSpan.FromMilliseconds(80));
        table.Failed(node, T0.AddSeconds(1));
        table.Failed(node, T0.AddSeconds(2)); // bad: the id may move
        var moved = new NodeInfo(node.Id, _nodes.NextEndPoint());

        table.Heard(moved, isResponse: true, T0.AddSeconds(3), TimeSpan.FromMilliseconds(300));

        var estimate = table.RoundTripOf(moved.Id, moved.EndPoint);
        Assert.Equal(1, estimate.Samples);
        Assert.Equal(TimeSpan.FromMilliseconds(300), estimate.Smoothed);
    }

    [Fact]
    public void FindClosestVerified_ListsOnlyContactsThatAnsweredUsRecentlyAndHaveNotFailedSince()
    {
        var table = _nodes.NewTable();
        var answered = _nodes.AnyNode();
        var onlyQueried = _nodes.AnyNode();
        var failedSince = _nodes.AnyNode();
        var quietTooLong = _nodes.AnyNode();
        table.Heard(quietTooLong, isResponse: true, T0);
        var now = T0 + TimeSpan.FromMinutes(16);
        table.Heard(answered, isResponse: true, now);
        table.Heard(onlyQueried, isResponse: false, now);
        table.Heard(failedSince, isResponse: true, now);
        table.Failed(failedSince, now);

        var verified = new List<NodeInfo>();
        table.FindClosestVerified(answered.Id, 8, verified, now);
        var usable = new List<NodeInfo>();
        table.FindClosest(answered.Id, 8, usable);

        Assert.Equal([answered], verified);
        Assert.Equal(4, usable.Count); // our own lookups may still start from the questionable ones
    }

    [Fact]
    public void FindClosestVerified_LeavesOutTheQuerier_AndStaysSortedByDistance()
    {
        var table = _nodes.NewTable();
        var contacts = Enumerable.Range(0, 12).Select(_ => _nodes.AnyNode()).ToList();
        foreach (var c in contacts)
        {
            table.Heard(c, isResponse: true, T0);
        }

        var target = NodeId.CreateRandom(_nodes.Random);
        var expected = table.Contacts.Select(c => c.Node).Where(n => n != contacts[0]).OrderBy(n => n.Id ^ target).Take(8).ToList();
        var verified = new List<NodeInfo>();
        table.FindClosestVerified(target, 8, verified, T0, excluded: contacts[0].Id);

        Assert.Equal(expected, verified);
    }
}
