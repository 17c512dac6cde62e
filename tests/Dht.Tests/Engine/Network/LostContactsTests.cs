using Dht.Engine.Network;
using Dht.Protocol;

namespace Dht.Tests.Engine.Network;

/// <summary>Lost contacts: re-pinged with back-off, bounded, forgotten after a while.</summary>
public sealed class LostContactsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static NodeInfo Node(int i) => new(NodeId.FromKey($"lost {i}"), NetEndPoint.FromIPv4(0x0A000000 + (uint)i, 6881));

    private static LostContacts Lost(int capacity = 4) =>
        new(capacity, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(8), TimeSpan.FromHours(1));

    [Fact]
    public void ALostContact_IsDueAfterTheFirstRetry_ThenBacksOffDoublingUpToTheMaximum()
    {
        var lost = Lost();
        lost.Add(Node(1), T0);
        var due = new List<NodeInfo>();

        lost.Due(T0 + TimeSpan.FromSeconds(59), 8, due);
        Assert.Empty(due);

        var pings = new List<TimeSpan>();
        for (var t = T0; t < T0 + TimeSpan.FromMinutes(40); t += TimeSpan.FromSeconds(10))
        {
            lost.Due(t, 8, due);
            if (due.Count > 0)
            {
                pings.Add(t - T0);
            }
        }

        // Pinged at 1 min, then 2, 4, 8, 8, ... minutes apart.
        Assert.Equal(
            [1, 3, 7, 15, 23, 31, 39],
            pings.Select(p => (int)p.TotalMinutes));
    }

    [Fact]
    public void AContactThatAnswersAgain_IsNoLongerPinged()
    {
        var lost = Lost();
        lost.Add(Node(1), T0);
        lost.Remove(Node(1).Id);
        var due = new List<NodeInfo>();
        lost.Due(T0 + TimeSpan.FromMinutes(5), 8, due);
        Assert.Empty(due);
        Assert.Equal(0, lost.Count);
    }

    [Fact]
    public void AddingTheSameContactTwice_KeepsOneEntryAndItsSchedule()
    {
        var lost = Lost();
        lost.Add(Node(1), T0);
        lost.Add(Node(1), T0 + TimeSpan.FromSeconds(50));
        Assert.Equal(1, lost.Count);
        var due = new List<NodeInfo>();
        lost.Due(T0 + TimeSpan.FromMinutes(1), 8, due);
        Assert.Equal([Node(1)], due);
    }

    [Fact]
    public void WhenFull_TheOldestLossIsForgottenFirst()
    {
        var lost = Lost(capacity: 2);
        lost.Add(Node(1), T0);
        lost.Add(Node(2), T0);
        lost.Add(Node(3), T0);
        var due = new List<NodeInfo>();
        lost.Due(T0 + TimeSpan.FromMinutes(1), 8, due);
        Assert.Equal([Node(2), Node(3)], due);
    }

    [Fact]
    public void AContactLostTooLongAgo_IsForgotten()
    {
        var lost = Lost();
        lost.Add(Node(1), T0);
        var due = new List<NodeInfo>();
        lost.Due(T0 + TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1), 8, due);
        Assert.Empty(due);
        Assert.Equal(0, lost.Count);
    }

    [Fact]
    public void Due_ReturnsAtMostTheGivenNumber_AndTheRestWaitForTheNextCall()
    {
        var lost = Lost(capacity: 8);
        for (int i = 0; i < 5; i++)
        {
            lost.Add(Node(i), T0);
        }

        var due = new List<NodeInfo>();
        lost.Due(T0 + TimeSpan.FromMinutes(1), 3, due);
        Assert.Equal(3, due.Count);
        lost.Due(T0 + TimeSpan.FromMinutes(1), 3, due);
        Assert.Equal([Node(3), Node(4)], due);
    }

    [Fact]
    public void AddAndRemove_OfKnownAndUnknownContacts_AllocateNothing()
    {
        var lost = Lost();
        var nodes = Enumerable.Range(0, 8).Select(Node).ToArray();
        foreach (var node in nodes.Take(4))
        {
            lost.Add(node, T0);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var node in nodes)
        {
            lost.Add(node, T0); // the first four are known: nothing changes
            lost.Remove(node.Id); // every answer to one of our queries
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(0, lost.Count);
    }
}
