using System.Text;
using Dht.Crypto;
using Dht.Protocol;

namespace Dht.Tests.Simulation;

public sealed class ItemSimulationTests
{
    [Fact]
    public void ImmutableAndMutableItems_PutFromOneNode_AreReadFromOthers()
    {
        const int seed = 31;
        var sim = new SimulatedDht(seed);
        sim.Grow(150);
        var key = Ed25519KeyPair.FromSeed(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        for (int i = 0; i < 10; i++)
        {
            var writer = sim.Nodes[sim.Random.Next(sim.Nodes.Count)];
            var reader = sim.Nodes[sim.Random.Next(sim.Nodes.Count)];
            var value = Encoding.UTF8.GetBytes($"item {i}");

            var put = sim.Run(writer.PutImmutableAsync(value));
            Assert.True(put.NodesStored >= 6, $"immutable {i} stored at {put.NodesStored} (seed {seed})");
            var got = sim.Run(reader.GetImmutableAsync(put.Target));
            Assert.True(got.Found, $"immutable {i} not found (seed {seed})");
            Assert.Equal(value, got.Value.ToArray());
            Assert.Equal(Bep44.ImmutableTarget(got.EncodedValue.Span), put.Target);

            var salt = Encoding.UTF8.GetBytes($"name{i}");
            var first = sim.Run(writer.PutMutableAsync(key, salt, "v1"u8.ToArray()));
            var second = sim.Run(writer.PutMutableAsync(key, salt, "v2"u8.ToArray()));
            Assert.Equal(1, first.Seq);
            Assert.Equal(2, second.Seq);
            var mutable = sim.Run(reader.GetMutableAsync(key.PublicKey, salt));
            Assert.True(mutable.Found, $"mutable {i} not found (seed {seed})");
            Assert.Equal("v2", Encoding.UTF8.GetString(mutable.Value.Span));
            Assert.Equal(2, mutable.Seq);
        }
    }

    [Fact]
    public void MutablePutWithStaleCas_IsRefusedEverywhere()
    {
        const int seed = 32;
        var sim = new SimulatedDht(seed);
        sim.Grow(80);
        var key = Ed25519KeyPair.FromSeed(Enumerable.Range(33, 32).Select(i => (byte)i).ToArray());
        var a = sim.Nodes[5];
        sim.Run(a.PutMutableAsync(key, "c"u8.ToArray(), "one"u8.ToArray()));
        sim.Run(a.PutMutableAsync(key, "c"u8.ToArray(), "two"u8.ToArray()));
        var stale = sim.Run(a.PutMutableAsync(key, "c"u8.ToArray(), "three"u8.ToArray(), cas: 1));
        Assert.Equal(0, stale.NodesStored);
        Assert.Contains(Protocol.Krpc.KrpcErrorCode.CasMismatch, stale.ErrorCodes);
        var got = sim.Run(sim.Nodes[40].GetMutableAsync(key.PublicKey, "c"u8.ToArray()));
        Assert.Equal("two", Encoding.UTF8.GetString(got.Value.Span));
    }

    [Fact]
    public void Items_LiveWhileThePublisherRePuts_AndExpireTwoHoursAfterItStops()
    {
        const int seed = 33;
        var sim = new SimulatedDht(seed, () => new DhtOptions { MaintenanceInterval = TimeSpan.FromMinutes(5) });
        sim.Grow(80);
        var publisher = sim.Nodes[7];
        var reader = sim.Nodes[50];
        var put = sim.Run(publisher.PutImmutableAsync("kept alive"u8.ToArray()));

        // Five hours with the publisher running: its hourly re-put keeps the item.
        sim.Clock.RunFor(TimeSpan.FromHours(5));
        Assert.True(sim.Run(reader.GetImmutableAsync(put.Target)).Found, $"item lost while published (seed {seed})");

        // The publisher goes away: two hours later nobody serves the item.
        sim.Network.Disconnect(publisher.LocalEndPoint);
        sim.Clock.RunFor(TimeSpan.FromHours(2.5));
        Assert.False(sim.Run(reader.GetImmutableAsync(put.Target)).Found, $"item outlived its lifetime (seed {seed})");
    }
}
