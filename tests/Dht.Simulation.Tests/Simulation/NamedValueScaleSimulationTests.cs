using System.Text;
using Dht.Engine;
using Dht.Engine.NamedValues;
using Dht.Protocol;
using Xunit.Abstractions;

namespace Dht.Tests.Simulation;

/// <summary>
/// Named values at the scale the key-value feature promises: a thousand nodes, five hundred keys, then most
/// of the network gone, then no publisher left to keep the values alive.
/// </summary>
public sealed class NamedValueScaleSimulationTests(ITestOutputHelper output)
{
    private const int K = 8;

    // A 3 h lifetime rather than the default 24 h: the same expiry and replication (hourly) with an eighth of
    // the simulated hours; it must outlast the two replication intervals the kill phase waits.
    private static readonly TimeSpan Ttl = TimeSpan.FromHours(3);

    [Fact]
    public void ThousandNodes_FiveHundredKeys_AllFound_SurviveKillingAllButOneHolder_ThenExpire()
    {
        const int seed = 1001;
        var sim = new SimulatedDht(seed, () => new DhtOptions
        {
            MaintenanceInterval = TimeSpan.FromMinutes(5),
            StorageLimits = new Dht.Storage.StorageLimits { DefaultTtl = Ttl, MaxTtl = Ttl },
        });
        sim.Grow(1000);

        // 500 random keys, each put from a random node and read from another random node.
        var keys = Enumerable.Range(0, 500).Select(i => $"key-{i}-{sim.Random.Next():x8}").ToList();
        var publisherOf = new Dictionary<string, DhtEngine>();
        foreach (var key in keys)
        {
            var publisher = sim.Nodes[sim.Random.Next(sim.Nodes.Count)];
            publisherOf[key] = publisher;
            var put = sim.Run(publisher.PutAsync(key, ValueOf(key)));
            // Nodes slow to answer the put's lookup get their places written after it returns (NodesPending).
            Assert.True(put.NodesStored + put.NodesPending >= K - 1,
                $"{key} stored at only {put.NodesStored} of {put.NodesAsked} nodes, {put.NodesPending} to follow (seed {seed})");
        }

        int foundAtFirst = 0;
        foreach (var key in keys)
        {
            var reader = OtherThan(sim, publisherOf[key]);
            var got = sim.Run(reader.GetAsync(key));
            if (got.Found && got.Value.Span.SequenceEqual(ValueOf(key)))
            {
                foundAtFirst++;
            }
        }

        Assert.True(foundAtFirst == keys.Count, $"found {foundAtFirst}/{keys.Count} keys right after the puts (seed {seed})");

        // Kill every publisher and every holder but one per key. The survivor of a key is a holder that
        // published nothing, preferring one already kept for another key so that as few as possible live.
        var holdersOf = keys.ToDictionary(k => k, k => sim.Holders(k).Select(h => h.Node).ToList());
        var publishers = new HashSet<DhtEngine>(publisherOf.Values, ReferenceEqualityComparer.Instance);
        var survivors = new HashSet<DhtEngine>(ReferenceEqualityComparer.Instance);
        foreach (var key in keys)
        {
            var candidates = holdersOf[key].Where(h => !publishers.Contains(h)).ToList();
            Assert.True(candidates.Count > 0, $"{key}: every holder published some key, so none can be kept with every publisher dead; the seed must give each key a holder that published nothing (seed {seed})");
            survivors.Add(candidates.FirstOrDefault(survivors.Contains) ?? candidates[0]);
        }

        var doomed = sim.Nodes
            .Where(n => !survivors.Contains(n) && (publishers.Contains(n) || holdersOf.Values.Any(h => h.Contains(n))))
            .ToList();
        int before = sim.Nodes.Count;
        foreach (var node in doomed)
        {
            sim.Kill(node);
        }

        output.WriteLine(
            $"killed {doomed.Count}/{before} nodes ({100.0 * doomed.Count / before:F1}%): {publishers.Count} publishers, " +
            $"{survivors.Count} survivors kept, {sim.Nodes.Count} nodes left (seed {seed})");

        // One replication interval later no key is lost. Survivors skip keys they received a store for within
        // the hour (the paper's optimisation: the sender will re-replicate them), and the publishers stored
        // just before they died, so the copying to the new k closest live nodes happens at the survivors'
        // second replication after the kill: check both, before any read repairs anything.
        var killedAt = sim.Clock.GetUtcNow();
        sim.Clock.RunFor(NamedValueReplicator.ReplicateInterval + TimeSpan.FromMinutes(10));
        var orphaned = keys.Where(k => sim.Holders(k).Count == 0).ToList();
        output.WriteLine($"{sim.Clock.GetUtcNow() - killedAt} after the kill: {Replication(sim, keys, out _)}");
        Assert.True(orphaned.Count == 0, $"{orphaned.Count} keys held by no live node one interval after the kill (seed {seed}), e.g. {orphaned.FirstOrDefault()}");

        sim.Clock.RunFor(NamedValueReplicator.ReplicateInterval);
        string replication = Replication(sim, keys, out var underReplicated);
        output.WriteLine($"{sim.Clock.GetUtcNow() - killedAt} after the kill: {replication}");
        Assert.True(underReplicated.Count == 0,
            $"{underReplicated.Count} keys not re-replicated to the k closest live nodes two intervals after the kill (seed {seed}): {replication}; " +
            string.Join("; ", underReplicated.Take(5)));

        int found = 0;
        var lost = new List<string>();
        foreach (var key in keys)
        {
            var got = sim.Run(sim.Nodes[sim.Random.Next(sim.Nodes.Count)].GetAsync(key));
            if (got.Found && got.Value.Span.SequenceEqual(ValueOf(key)))
            {
                found++;
            }
            else
            {
                lost.Add(key);
            }
        }

        Assert.True(found == keys.Count,
            $"found {found}/{keys.Count} keys after killing {doomed.Count}/{before} nodes (seed {seed}); lost: {string.Join(", ", lost.Take(10))}");

        // No publisher is left to re-publish: one ttl later (copies made by replication keep the remaining
        // lifetime; those the reads above repaired got a full one), every copy everywhere has expired.
        sim.Clock.RunFor(Ttl);
        var stillHeld = keys.Where(k => sim.Holders(k).Count > 0).ToList();
        Assert.True(stillHeld.Count == 0, $"{stillHeld.Count} keys still held past the ttl (seed {seed}), e.g. {stillHeld.FirstOrDefault()}");
        var survived = keys.Where(k => sim.Run(sim.Nodes[sim.Random.Next(sim.Nodes.Count)].GetAsync(k)).Found).ToList();
        Assert.True(survived.Count == 0, $"{survived.Count} keys found past their ttl (seed {seed}), e.g. {survived.FirstOrDefault()}");
        output.WriteLine($"{sim.Clock.EventsProcessed} events, {sim.Network.DatagramsSent} datagrams (seed {seed})");
    }

    // How many keys sit on every one of their k closest live nodes; lists the others.
    private static string Replication(SimulatedDht sim, List<string> keys, out List<string> underReplicated)
    {
        underReplicated = [];
        int copies = 0, missingTotal = 0;
        foreach (var key in keys)
        {
            var holders = sim.Holders(key).Select(h => h.Node.Id).ToHashSet();
            copies += holders.Count;
            int missing = sim.TrueClosest(NodeId.FromKey(key), K).Count(id => !holders.Contains(id));
            missingTotal += missing;
            if (missing > 0)
            {
                underReplicated.Add($"{key}: {holders.Count} live holders, {missing} of its {K} closest live nodes without it");
            }
        }

        return $"{keys.Count - underReplicated.Count}/{keys.Count} keys on all of their {K} closest live nodes, " +
            $"{copies} live copies, {missingTotal} copies missing there";
    }

    private static byte[] ValueOf(string key) => Encoding.UTF8.GetBytes("value of " + key);

    private static DhtEngine OtherThan(SimulatedDht sim, DhtEngine node)
    {
        while (true)
        {
            var other = sim.Nodes[sim.Random.Next(sim.Nodes.Count)];
            if (!ReferenceEquals(other, node))
            {
                return other;
            }
        }
    }
}
