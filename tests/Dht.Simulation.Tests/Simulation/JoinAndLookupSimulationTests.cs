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

    [Fact]
    public void SameSeed_GivesTheSameRun_DifferentSeedADifferentOne()
    {
        static string Run(int seed)
        {
            var sim = new SimulatedDht(seed);
            sim.Grow(80);
            var lines = new List<string>();
            for (int i = 0; i < 20; i++)
            {
                var target = NodeId.CreateRandom(sim.Random);
                var r = sim.Run(sim.Nodes[sim.Random.Next(sim.Nodes.Count)].FindNodeAsync(target));
                lines.Add($"{target}:{string.Join(",", r.ClosestNodes)}:{r.Rounds}:{r.QueriesSent}:{r.Elapsed.Ticks}");
            }

            lines.Add($"events {sim.Clock.EventsProcessed} datagrams {sim.Network.DatagramsSent}");
            return string.Join("\n", lines);
        }

        Assert.Equal(Run(5), Run(5));
        Assert.NotEqual(Run(5), Run(6));
    }

    [Fact]
    public void NodeThatLosesEveryContact_RetriesItsBootstrapNodes()
    {
        const int seed = 21;
        var sim = new SimulatedDht(seed);
        var first = sim.AddNode();
        var second = sim.AddNode(first.LocalEndPoint);
        sim.Run(second.BootstrapAsync());
        Assert.True(second.Routing.TryGet(first.Id, out _), $"did not join (seed {seed})");

        // The only contact goes away long enough to be declared bad.
        sim.Network.Disconnect(first.LocalEndPoint);
        sim.Clock.RunFor(TimeSpan.FromMinutes(40));
        var closest = new List<NodeInfo>();
        second.Routing.FindClosest(second.Id, 8, closest);
        Assert.Empty(closest);

        // It comes back: the node finds it again through its bootstrap list.
        sim.Network.Reconnect(first.LocalEndPoint);
        sim.Clock.RunFor(TimeSpan.FromMinutes(2));
        second.Routing.FindClosest(second.Id, 8, closest);
        Assert.Contains(closest, n => n.Id == first.Id);
    }
}
