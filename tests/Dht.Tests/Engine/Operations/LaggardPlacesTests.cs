using Dht.Engine.Operations;
using Dht.Protocol;
using static Dht.Tests.Lookups.LookupTestNodes;

namespace Dht.Tests.Engine.Operations;

/// <summary>A write's places kept for laggards: each settled once, to the laggard or to the next stand-in.</summary>
public sealed class LaggardPlacesTests
{
    private readonly List<NodeInfo> _written = [];

    [Fact]
    public void ALaggardThatAnswersIsWritten_OneThatFallsSilentGivesItsPlaceToTheNextStandIn()
    {
        var places = new LaggardPlaces(Nodes(1, 2), Nodes(8, 9));
        Assert.Empty(places.Start(_written.Add));

        places.Settle(Node(2), writable: false);
        places.Settle(Node(1), writable: true);

        Assert.Equal(Nodes(8, 1), _written);
        Assert.Equal(0, places.Open);
    }

    [Fact]
    public void EachPlaceIsSettledOnce_AnswerAfterSilenceIsNotWritten()
    {
        var places = new LaggardPlaces(Nodes(1), Nodes(8, 9));
        places.Start(_written.Add);

        places.Settle(Node(1), writable: false); // its soft timeout
        places.Settle(Node(1), writable: true); // its answer, later: node 8 has its place
        places.Settle(Node(1), writable: false); // its hard timeout would not come, but a failure must not take node 9 too
        places.Settle(Node(5), writable: true); // never a laggard

        Assert.Equal(Nodes(8), _written);
    }

    [Fact]
    public void OutcomesBeforeTheWriteStarts_AreTheCallersToWriteWithTheRest()
    {
        var places = new LaggardPlaces(Nodes(1, 2, 3, 4), Nodes(9));
        places.Settle(Node(1), writable: true);
        places.Settle(Node(2), writable: false);
        places.Settle(Node(3), writable: false); // no stand-in left: the place stays empty

        Assert.Equal(Nodes(1, 9), places.Start(_written.Add));
        Assert.Equal(1, places.Open);
        places.Settle(Node(4), writable: true);
        Assert.Equal(Nodes(4), _written);
    }
}
