using Dht.Protocol;

namespace Dht.Tests.Simulation;

/// <summary>
/// In a network of k nodes or fewer a lookup has fewer than k answers, so a silent node holds it a grace past its
/// soft timeout; the node's one timer ends that grace (no query times out then), well before the silent node's
/// hard timeout.
/// </summary>
public sealed class SmallNetworkDepartureSimulationTests
{
    [Theory]
    [InlineData(41)]
    [InlineData(42)]
    [InlineData(43)]
    public void AfterOneOfFourNodesLeaves_ALookupEndsAtTheGraceNotAtTheHardTimeout(int seed)
    {
        var sim = new SimulatedDht(seed);
        sim.Grow(4);
        var gone = sim.Nodes[3];
        sim.Kill(gone);
        var asker = sim.Nodes[0];

        var lookup = sim.Run(asker.FindNodeAsync(NodeId.CreateRandom(sim.Random)));

        Assert.Equal(2, lookup.ClosestNodes.Count);
        Assert.DoesNotContain(lookup.ClosestNodes, n => n.Id == gone.Id);
        // Soft timeout (round trip of at most 310 ms here, plus 50 ms) and the 50 ms grace: under 500 ms, the
        // least hard timeout, which the lookup waited for before its timer ended the grace.
        Assert.True(lookup.Elapsed < TimeSpan.FromMilliseconds(500), $"seed {seed}: took {lookup.Elapsed}");
    }
}
