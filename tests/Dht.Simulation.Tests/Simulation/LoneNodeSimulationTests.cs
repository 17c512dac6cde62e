using System.Text;
using Dht.Crypto;
using Dht.Engine;
using Dht.Protocol;

namespace Dht.Tests.Simulation;

/// <summary>
/// A node with no one to talk to keeps what it puts and serves it; nodes that join later and are closer to a
/// value are handed it, so it outlives the node that put it.
/// </summary>
public sealed class LoneNodeSimulationTests
{
    [Fact]
    public void ALoneNode_KeepsWhatItPuts_AndGetsItBack()
    {
        var sim = new SimulatedDht(31);
        var lone = sim.AddNode();

        var put = sim.Run(lone.PutAsync("test", "value"u8.ToArray()));
        Assert.True(put.StoredLocally);
        Assert.Equal((0, 0), (put.NodesAsked, put.NodesStored));
        var got = sim.Run(lone.GetAsync("test"));
        Assert.True(got.Found);
        Assert.Equal("value", Encoding.UTF8.GetString(got.Value.Span));

        var deleted = sim.Run(lone.DeleteAsync("test"));
        Assert.True(deleted.StoredLocally);
        Assert.False(sim.Run(lone.GetAsync("test")).Found);

        var item = sim.Run(lone.PutImmutableAsync("immutable"u8.ToArray()));
        Assert.True(item.StoredLocally);
        Assert.Equal("immutable"u8.ToArray(), sim.Run(lone.GetImmutableAsync(item.Target)).Value.ToArray());

        var key = Ed25519KeyPair.Generate();
        Assert.True(sim.Run(lone.PutMutableAsync(key, "s"u8.ToArray(), "first"u8.ToArray())).StoredLocally);
        var second = sim.Run(lone.PutMutableAsync(key, "s"u8.ToArray(), "second"u8.ToArray()));
        Assert.Equal(2, second.Seq);
        var mutable = sim.Run(lone.GetMutableAsync(key.PublicKey, "s"u8.ToArray()));
        Assert.Equal((2L, "second"), (mutable.Seq, Encoding.UTF8.GetString(mutable.Value.Span)));
    }

    [Fact]
    public void NodesThatJoinALoneNode_AreHandedWhatTheyAreCloserTo_AndTheValuesOutliveIt()
    {
        var sim = new SimulatedDht(32);
        var lone = sim.AddNode();
        var keys = Enumerable.Range(0, 30).Select(i => $"key{i}").ToList();
        foreach (var key in keys)
        {
            Assert.True(sim.Run(lone.PutAsync(key, Encoding.UTF8.GetBytes("value of " + key))).StoredLocally);
        }

        var item = sim.Run(lone.PutImmutableAsync("an item"u8.ToArray()));
        List<DhtEngine> joined = [];
        for (int i = 0; i < 4; i++)
        {
            var node = sim.AddNode(lone.LocalEndPoint);
            sim.Run(node.BootstrapAsync());
            joined.Add(node);
        }

        sim.Clock.RunFor(TimeSpan.FromSeconds(10));
        foreach (var key in keys)
        {
            var target = NodeId.FromKey(key);
            var holders = sim.Holders(key).Select(h => h.Node).ToHashSet();
            foreach (var node in joined.Where(n => target.CompareDistance(n.Id, lone.Id) < 0))
            {
                Assert.True(holders.Contains(node), $"{key}: {node.Id} is closer than the lone node but was not handed it (seed {sim.Seed})");
            }
        }

        Assert.Equal(
            joined.Count(n => item.Target.CompareDistance(n.Id, lone.Id) < 0),
            joined.Count(n => n.Items.Held(sim.Clock.GetUtcNow()).Any(i => i.Target == item.Target)));

        // The publisher goes on re-publishing to the k closest; once it has, it may leave.
        sim.Clock.RunFor(TimeSpan.FromMinutes(61));
        sim.Kill(lone);
        foreach (var key in keys)
        {
            var got = sim.Run(joined[sim.Random.Next(joined.Count)].GetAsync(key));
            Assert.True(got.Found, $"{key} lost with the node that put it (seed {sim.Seed})");
        }

        Assert.True(sim.Run(joined[0].GetImmutableAsync(item.Target)).Found);
    }
}
