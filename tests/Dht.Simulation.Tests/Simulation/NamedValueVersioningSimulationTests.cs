using System.Text;
using Dht.Engine;
using Dht.Engine.NamedValues;
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.NamedValues;
using Xunit.Abstractions;

namespace Dht.Tests.Simulation;

/// <summary>Versions of one named value under concurrent writers and a holder that comes back with an old copy.</summary>
public sealed class NamedValueVersioningSimulationTests(ITestOutputHelper output)
{
    private const int K = 8;

    private static DhtOptions Options() => new() { MaintenanceInterval = TimeSpan.FromMinutes(5) };

    [Theory]
    [InlineData(41, 0, false)]
    [InlineData(42, 0, false)]
    [InlineData(43, 1, false)]
    [InlineData(44, 0, true)]
    public void TwoWritersRacingOnOneKey_EveryHolderAndEveryReaderEndsWithOneValue(int seed, int headStartMs, bool sameSeq)
    {
        const string key = "contested";
        var sim = new SimulatedDht(seed, Options);
        sim.Grow(200);
        var a = sim.Nodes[sim.Random.Next(sim.Nodes.Count)];
        var b = OtherThan(sim, a);

        // Both puts start before the clock runs (or b a moment after a), so their lookups and stores interleave.
        // With sameSeq both write one explicit version, so only the byte-wise order can decide.
        const long explicitSeq = 1_000_000;
        var putA = sameSeq
            ? a.Loop.InvokeAsync(() => a.NamedValues!.Operations.PutAsync(key, "written by a"u8.ToArray(), explicitSeq, CancellationToken.None))
            : a.PutAsync(key, "written by a"u8.ToArray());
        if (headStartMs > 0)
        {
            sim.Clock.RunFor(TimeSpan.FromMilliseconds(headStartMs));
        }

        var putB = sameSeq
            ? b.Loop.InvokeAsync(() => b.NamedValues!.Operations.PutAsync(key, "written by b"u8.ToArray(), explicitSeq, CancellationToken.None))
            : b.PutAsync(key, "written by b"u8.ToArray());
        var results = sim.Run(Task.WhenAll(putA, putB));
        output.WriteLine($"a: seq {results[0].Seq} stored at {results[0].NodesStored}/{results[0].NodesAsked}; b: seq {results[1].Seq} stored at {results[1].NodesStored}/{results[1].NodesAsked}");

        // The rule every replica applies: higher seq wins, at equal seq the byte-wise larger value.
        var (winnerSeq, winnerValue) = results[0].Seq != results[1].Seq
            ? (results[0].Seq > results[1].Seq ? (results[0].Seq, "written by a") : (results[1].Seq, "written by b"))
            : (results[0].Seq, "written by b");

        AssertConverged(sim, key, winnerSeq, winnerValue, $"after the puts (seed {seed})");

        // The loser keeps re-publishing its version every hour, and holders replicate: nothing changes.
        sim.Clock.RunFor(NamedValueReplicator.ReplicateInterval + TimeSpan.FromMinutes(10));
        AssertConverged(sim, key, winnerSeq, winnerValue, $"one replication interval later (seed {seed})");
    }

    [Theory]
    [InlineData(51, false, false)]
    [InlineData(52, true, false)]
    [InlineData(53, false, true)]
    [InlineData(54, true, true)]
    public void HolderThatRejoinsWithAnOldCopy_DoesNotBringTheOldValueBack(int seed, bool deleteLast, bool restart)
    {
        const string key = "versioned";
        var sim = new SimulatedDht(seed, Options);
        sim.Grow(200);
        var writer1 = sim.Nodes[sim.Random.Next(sim.Nodes.Count)];
        var v1 = sim.Run(writer1.PutAsync(key, "version 1"u8.ToArray()));
        var holdersOfV1 = sim.Holders(key);
        Assert.True(holdersOfV1.Count >= K - 1, $"version 1 held by {holdersOfV1.Count} nodes (seed {seed})");
        var stale = holdersOfV1.Select(h => h.Node).First(n => !ReferenceEquals(n, writer1));
        var staleEndPoint = stale.LocalEndPoint;

        // The holder goes away, with version 1 in its store.
        if (restart)
        {
            sim.Kill(stale);
        }
        else
        {
            sim.Network.Disconnect(staleEndPoint);
        }

        // Meanwhile other nodes overwrite the key, then delete or overwrite it again.
        sim.Clock.RunFor(TimeSpan.FromMinutes(10));
        var writer2 = OtherThan(sim, writer1, stale);
        var v2 = sim.Run(writer2.PutAsync(key, "version 2"u8.ToArray()));
        sim.Clock.RunFor(TimeSpan.FromMinutes(20));
        var writer3 = OtherThan(sim, writer1, writer2, stale);
        var v3 = deleteLast
            ? sim.Run(writer3.DeleteAsync(key))
            : sim.Run(writer3.PutAsync(key, "version 3"u8.ToArray()));
        Assert.True(v1.Seq < v2.Seq && v2.Seq < v3.Seq, $"versions {v1.Seq}, {v2.Seq}, {v3.Seq} not increasing (seed {seed})");
        output.WriteLine($"v1 {v1.Seq} on {v1.NodesStored}, v2 {v2.Seq} on {v2.NodesStored}, v3 {v3.Seq} on {v3.NodesStored} ({(deleteLast ? "delete" : "put")})");
        sim.Clock.RunFor(TimeSpan.FromMinutes(10));

        // It comes back, still holding version 1, and rejoins; over two hours its replication (and, after a
        // restart, its hand-over to new contacts) pushes that copy to the current k closest.
        var rejoined = stale;
        if (restart)
        {
            rejoined = sim.Restart(stale, writer3.LocalEndPoint);
            sim.Run(rejoined.BootstrapAsync());
        }
        else
        {
            sim.Network.Reconnect(staleEndPoint);
        }

        long storesBefore = rejoined.Counters.QueriesSent(NamedValueMethods.Store);
        long refusedBefore = rejoined.Counters.ErrorsReceived(NamedValueMethods.Store);
        Assert.Contains(rejoined.NamedValues!.Held(sim.Clock.GetUtcNow()), v => v.Seq == v1.Seq);
        for (int step = 0; step < 12; step++)
        {
            sim.Clock.RunFor(TimeSpan.FromMinutes(10));
            var spread = sim.Holders(key).Where(h => h.Value.Seq == v1.Seq && !ReferenceEquals(h.Node, rejoined)).ToList();
            Assert.True(spread.Count == 0, $"{spread.Count} other nodes hold version 1 again after {(step + 1) * 10} min (seed {seed})");
        }

        long pushed = rejoined.Counters.QueriesSent(NamedValueMethods.Store) - storesBefore;
        long refused = rejoined.Counters.ErrorsReceived(NamedValueMethods.Store) - refusedBefore;
        output.WriteLine($"the rejoined node sent {pushed} stores, {refused} refused; it now holds seq {string.Join(",", rejoined.NamedValues!.Held(sim.Clock.GetUtcNow()).Select(v => v.Seq))}");
        if (restart)
        {
            // A restarted node either offers its old copy (hand-over to the contacts it finds while joining) and is
            // refused, or its replication finds the newer version first and adopts it. Either way it confronted
            // the newer version. (A node that was only cut off usually receives the newer version directly.)
            bool adopted = !rejoined.NamedValues!.Held(sim.Clock.GetUtcNow()).Any(v => v.Seq == v1.Seq);
            Assert.True((pushed > 0 && refused > 0) || adopted,
                $"the restarted node pushed {pushed} stores, {refused} refused, and still holds version 1 (seed {seed})");
        }

        // No reader anywhere sees version 1 (or 2), and afterwards the k closest all hold the last version (a
        // node that missed it may keep an older copy until it expires or a read repairs it; never version 1).
        for (int i = 0; i < 20; i++)
        {
            var reader = sim.Nodes[sim.Random.Next(sim.Nodes.Count)];
            var got = sim.Run(reader.GetAsync(key));
            Assert.True(got.Seq == v3.Seq, $"read {i} from {reader.Id} returned seq {got.Seq}, expected {v3.Seq} (seed {seed})");
            if (deleteLast)
            {
                Assert.False(got.Found, $"read {i} found \"{Encoding.UTF8.GetString(got.Value.Span)}\" after the delete (seed {seed})");
            }
            else
            {
                Assert.True(got.Found && got.Value.Span.SequenceEqual("version 3"u8), $"read {i} returned \"{Encoding.UTF8.GetString(got.Value.Span)}\" (seed {seed})");
            }
        }

        var closest = sim.TrueClosest(Protocol.NodeId.FromKey(key), K).ToHashSet();
        foreach (var (node, value) in sim.Holders(key))
        {
            Assert.True(value.Seq != v1.Seq || ReferenceEquals(node, rejoined), $"{node.Id} holds version 1 (seed {seed})");
            Assert.True(ReferenceEquals(node, rejoined) || !closest.Contains(node.Id) || value.Seq == v3.Seq,
                $"{node.Id}, among the {K} closest, holds seq {value.Seq}, not the last version {v3.Seq} (seed {seed})");
        }
    }

    [Fact]
    public void OverwrittenPublisher_DoesNotBringItsValueBack_WhenTheNewerValueExpires()
    {
        const int seed = 61;
        const string key = "superseded";
        var ttl = TimeSpan.FromHours(3);
        var sim = new SimulatedDht(seed, () => new DhtOptions
        {
            MaintenanceInterval = TimeSpan.FromMinutes(5),
            StorageLimits = new Dht.Storage.StorageLimits { DefaultTtl = ttl, MaxTtl = ttl },
        });
        sim.Grow(150);
        var first = sim.Nodes[sim.Random.Next(sim.Nodes.Count)];
        sim.Run(first.PutAsync(key, "old"u8.ToArray()));
        sim.Clock.RunFor(TimeSpan.FromMinutes(10));
        var second = OtherThan(sim, first);
        var newer = sim.Run(second.PutAsync(key, "new"u8.ToArray()));

        // The second writer leaves; the first keeps running. The newer value lives one ttl without its
        // publisher; after that, the first writer's superseded version must not take its place.
        sim.Kill(second);
        sim.Clock.RunFor(ttl + NamedValueReplicator.ReplicateInterval + TimeSpan.FromMinutes(10));
        var holders = sim.Holders(key);
        output.WriteLine($"holders past the newer value's ttl: {string.Join(", ", holders.Select(h => $"{h.Value.Seq}:{Encoding.UTF8.GetString(h.Value.Value.Span)}"))}");
        for (int i = 0; i < 10; i++)
        {
            var got = sim.Run(sim.Nodes[sim.Random.Next(sim.Nodes.Count)].GetAsync(key));
            Assert.False(got.Found, $"read {i} found seq {got.Seq} \"{Encoding.UTF8.GetString(got.Value.Span)}\" after {newer.Seq} expired (seed {seed})");
        }
    }

    private static void AssertConverged(SimulatedDht sim, string key, long seq, string value, string when)
    {
        var holders = sim.Holders(key);
        Assert.True(holders.Count >= K, $"{holders.Count} holders {when}");
        foreach (var (node, held) in holders)
        {
            Assert.True(held.Seq == seq && held.Value.Span.SequenceEqual(Encoding.UTF8.GetBytes(value)),
                $"{node.Id} holds seq {held.Seq} \"{Encoding.UTF8.GetString(held.Value.Span)}\", not seq {seq} \"{value}\" {when}");
        }

        for (int i = 0; i < 20; i++)
        {
            var reader = sim.Nodes[sim.Random.Next(sim.Nodes.Count)];
            var got = sim.Run(reader.GetAsync(key));
            Assert.True(got.Found && got.Seq == seq && got.Value.Span.SequenceEqual(Encoding.UTF8.GetBytes(value)),
                $"read {i} from {reader.Id} returned seq {got.Seq} \"{Encoding.UTF8.GetString(got.Value.Span)}\", not seq {seq} \"{value}\" {when}");
        }
    }

    private static DhtEngine OtherThan(SimulatedDht sim, params DhtEngine[] excluded)
    {
        while (true)
        {
            var node = sim.Nodes[sim.Random.Next(sim.Nodes.Count)];
            if (!excluded.Contains(node))
            {
                return node;
            }
        }
    }
}
