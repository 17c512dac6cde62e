using Dht.Protocol;

namespace Dht.Tests.Simulation;

public sealed class JoinAndLookupSimulationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void FiveHundredNodesJoinOneByOne_FindNodeReturnsTrueClosest(int seed)
    {
        var sim = new SimulatedDht(seed);
        sim.Grow(500);

        int lookups = 0, exact = 0;
        for (int i = 0; i < 200; i++)
        {
            var target = NodeId.CreateRandom(sim.Random);
            var from = sim.Nodes[sim.Random.Next(sim.Nodes.Count)];
            var result = sim.Run(from.FindNodeAsync(target));
            var expected = sim.TrueClosest(target, 8).Where(id => id != from.Id).Take(8).ToList();
            var got = result.ClosestNodes.Select(n => n.Id).Take(expected.Count).ToList();
            lookups++;
            if (got.SequenceEqual(expected))
            {
                exact++;
            }
        }

        Assert.True(exact >= lookups * 0.99, $"only {exact}/{lookups} lookups returned the true 8 closest (seed {seed})");
    }

    [Fact]
    public void AnnounceThenGetPeers_BetweenRandomPairs_FindsThePeer()
    {
        const int seed = 11;
        var sim = new SimulatedDht(seed);
        sim.Grow(200);
        for (int i = 0; i < 20; i++)
        {
            var infoHash = NodeId.CreateRandom(sim.Random);
            var announcer = sim.Nodes[sim.Random.Next(sim.Nodes.Count)];
            var seeker = sim.Nodes[sim.Random.Next(sim.Nodes.Count)];
            var announced = sim.Run(announcer.AnnounceAsync(infoHash, 7000 + i));
            Assert.True(announced.NodesAccepted >= 1, $"announce reached no node (seed {seed})");
            var peers = sim.Run(seeker.GetPeersListAsync(infoHash));
            Assert.Contains(announcer.LocalEndPoint.WithPort((ushort)(7000 + i)), peers);
        }
    }
}
