using System.Text;
using Dht.Engine;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Routing;

namespace Dht.Tests.Simulation;

/// <summary>
/// Our nodes among nodes of other Mainline implementations that do not serve our named-value extension: named
/// values work among ours, and the others are never sent the extension's queries nor lose standing for it.
/// </summary>
public sealed class ForeignNodeSimulationTests
{
    [Theory]
    [InlineData(UnknownMethodAnswer.Silence, 51)]
    [InlineData(UnknownMethodAnswer.AsFindNode, 52)]
    public void NamedValues_AmongForeignNodes_ReachOnlyOurs_AndEveryForeignContactStaysGood(UnknownMethodAnswer answer, int seed)
    {
        var sim = new SimulatedDht(seed);
        List<NodeInfo> directory = [];
        var theirs = Enumerable.Range(0, 40)
            .Select(_ => new MainlineStandIn(sim.Network, NodeId.CreateRandom(sim.Random), answer, _ => directory))
            .ToList();
        directory.AddRange(theirs.Select(t => t.Node));
        var first = sim.AddNode(theirs[0].Node.EndPoint);
        directory.Add(new NodeInfo(first.Id, first.LocalEndPoint));
        sim.Run(first.BootstrapAsync());
        while (sim.Nodes.Count < 20)
        {
            var node = sim.AddNode(sim.Nodes[sim.Random.Next(sim.Nodes.Count)].LocalEndPoint);
            directory.Add(new NodeInfo(node.Id, node.LocalEndPoint));
            sim.Run(node.BootstrapAsync());
        }

        foreach (var node in sim.Nodes)
        {
            sim.Run(node.BootstrapAsync()); // once more, now that every node is in the directory
        }

        var foreignIds = theirs.Select(t => t.Node.Id).ToHashSet();
        var goodBefore = sim.Nodes.ToDictionary(n => n, n => GoodForeign(sim, n, foreignIds));
        Assert.True(goodBefore.Values.Sum(g => g.Count) > 0, $"no foreign contact is good in any table (seed {seed})");

        for (int i = 0; i < 20; i++)
        {
            var key = $"key{i}";
            var writer = sim.Nodes[sim.Random.Next(sim.Nodes.Count)];
            var put = sim.Run(writer.PutAsync(key, Encoding.UTF8.GetBytes("value of " + key)));
            Assert.True(put.NodesStored >= 6, $"{key} stored at {put.NodesStored} of {put.NodesAsked} nodes (seed {seed})");
            var reader = sim.Nodes[sim.Random.Next(sim.Nodes.Count)];
            var got = sim.Run(reader.GetAsync(key));
            Assert.True(got.Found, $"{key} not found (seed {seed})");
            Assert.Equal("value of " + key, Encoding.UTF8.GetString(got.Value.Span));
        }

        Assert.Equal(0, theirs.Sum(t => t.ExtensionQueries));
        Assert.True(theirs.Sum(t => t.Received.GetValueOrDefault(KrpcMethod.FindNode)) > 0, $"the lookups never went through a foreign node (seed {seed})");
        foreach (var (node, good) in goodBefore)
        {
            var stillGood = GoodForeign(sim, node, foreignIds);
            Assert.True(good.IsSubsetOf(stillGood), $"{node.Id}: {good.Except(stillGood).Count()} of {good.Count} good foreign contacts are no longer good (seed {seed})");
        }
    }

    private static HashSet<NodeId> GoodForeign(SimulatedDht sim, DhtEngine node, HashSet<NodeId> foreign)
    {
        var now = sim.Clock.GetUtcNow();
        return node.Routing.Contacts
            .Where(c => foreign.Contains(c.Id) && c.State(now, node.Routing.Options) == ContactState.Good)
            .Select(c => c.Id)
            .ToHashSet();
    }
}
