using System.Text;
using Dht.Engine;

namespace Dht.Tests.Simulation;

public sealed class NamedValueSimulationTests
{
    [Fact]
    public void PutFromRandomNodes_IsFoundFromOthers_SurvivesLosingHolders_AndExpires()
    {
        const int seed = 3;
        var sim = new SimulatedDht(seed, () => new DhtOptions { MaintenanceInterval = TimeSpan.FromMinutes(5) });
        sim.Grow(300);
        var keys = Enumerable.Range(0, 60).Select(i => $"key{i}").ToList();
        var publishers = new Dictionary<string, DhtEngine>();
        foreach (var key in keys)
        {
            var publisher = sim.Nodes[sim.Random.Next(sim.Nodes.Count)];
            publishers[key] = publisher;
            var put = sim.Run(publisher.PutAsync(key, Encoding.UTF8.GetBytes("value of " + key)));
            Assert.True(put.NodesStored >= 6, $"{key} stored at {put.NodesStored} nodes (seed {seed})");
        }

        foreach (var key in keys)
        {
            var reader = sim.Nodes[sim.Random.Next(sim.Nodes.Count)];
            var got = sim.Run(reader.GetAsync(key));
            Assert.True(got.Found, $"{key} not found (seed {seed})");
            Assert.Equal("value of " + key, Encoding.UTF8.GetString(got.Value.Span));
        }

        // Kill every publisher and all but one holder of each key (one survivor per key is kept alive).
        var now = sim.Clock.GetUtcNow();
        var holdersOf = keys.ToDictionary(k => k, k => sim.Nodes
            .Where(n => n.NamedValues!.Held(now).Any(v => v.Target == Protocol.NodeId.FromKey(k))).ToList());
        var survivors = new HashSet<DhtEngine>();
        foreach (var key in keys)
        {
            var keep = holdersOf[key].FirstOrDefault(survivors.Contains)
                ?? holdersOf[key].First(h => !publishers.ContainsValue(h));
            survivors.Add(keep);
        }

        var dead = new HashSet<DhtEngine>(publishers.Values.Concat(holdersOf.Values.SelectMany(h => h)).Where(n => !survivors.Contains(n)));
        foreach (var d in dead)
        {
            sim.Network.Disconnect(d.LocalEndPoint);
        }

        sim.Clock.RunFor(TimeSpan.FromMinutes(75));
        var alive = sim.Nodes.Where(n => !dead.Contains(n)).ToList();
        foreach (var key in keys)
        {
            var got = sim.Run(alive[sim.Random.Next(alive.Count)].GetAsync(key));
            Assert.True(got.Found, $"{key} lost after holders died (seed {seed}, {dead.Count} nodes down)");
        }

        // Nobody re-publishes: past the 24 h ttl every value is gone.
        sim.Clock.RunFor(TimeSpan.FromHours(24));
        foreach (var key in keys.Take(10))
        {
            var got = sim.Run(alive[sim.Random.Next(alive.Count)].GetAsync(key));
            Assert.False(got.Found, $"{key} outlived its ttl (seed {seed})");
        }
    }

    [Fact]
    public void DeleteAndNewerWrite_WinEverywhere_AStaleCopyNeverComesBack()
    {
        const int seed = 4;
        var sim = new SimulatedDht(seed);
        sim.Grow(100);
        var a = sim.Nodes[10];
        var b = sim.Nodes[20];
        sim.Run(a.PutAsync("race", "first"u8.ToArray()));
        sim.Clock.RunFor(TimeSpan.FromSeconds(1));
        sim.Run(b.PutAsync("race", "second"u8.ToArray()));
        for (int i = 0; i < 10; i++)
        {
            var got = sim.Run(sim.Nodes[sim.Random.Next(sim.Nodes.Count)].GetAsync("race"));
            Assert.Equal("second", Encoding.UTF8.GetString(got.Value.Span));
        }

        sim.Run(a.DeleteAsync("race"));
        for (int i = 0; i < 10; i++)
        {
            Assert.False(sim.Run(sim.Nodes[sim.Random.Next(sim.Nodes.Count)].GetAsync("race")).Found);
        }
    }

    [Fact]
    public void ReadsRepairingCopies_DoNotExtendAValuesLifetime()
    {
        const int seed = 6;
        var sim = new SimulatedDht(seed, () => new DhtOptions
        {
            MaintenanceInterval = TimeSpan.FromMinutes(5),
            StorageLimits = new Dht.Storage.StorageLimits { DefaultTtl = TimeSpan.FromHours(3), MaxTtl = TimeSpan.FromHours(3) },
        });
        sim.Grow(60);
        var publisher = sim.Nodes[3];
        sim.Run(publisher.PutAsync("short-lived", "v"u8.ToArray()));
        // The publisher and all holders but one go away, so reads have copies to repair on the new k closest.
        var holders = sim.Holders("short-lived").Select(h => h.Node).ToList();
        var gone = holders.Skip(1).Append(publisher).ToHashSet();
        foreach (var node in gone)
        {
            sim.Network.Disconnect(node.LocalEndPoint);
        }

        var readers = sim.Nodes.Where(n => !gone.Contains(n)).ToList();

        // Reads every 30 minutes repair copies on nodes that lack one; each copy keeps the remaining lifetime.
        for (int i = 0; i < 5; i++)
        {
            sim.Clock.RunFor(TimeSpan.FromMinutes(30));
            Assert.True(sim.Run(readers[sim.Random.Next(readers.Count)].GetAsync("short-lived")).Found, $"lost early (seed {seed})");
        }

        sim.Clock.RunFor(TimeSpan.FromMinutes(40));
        Assert.False(sim.Run(readers[20].GetAsync("short-lived")).Found, $"outlived its 3 h lifetime (seed {seed})");
    }
}
