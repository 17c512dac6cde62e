// The named values a scenario stores, and the questions asked about them: is a get's answer right, and how
// many of each key's k closest live nodes hold a copy.
using System.Text;
using Dht.Engine;
using Dht.Protocol;

namespace Dht.Simulation.Scenarios;

internal sealed class KeySet
{
    public const int K = 8;

    public KeySet(SimulatedDht sim, int count, string prefix = "key")
    {
        Keys = Enumerable.Range(0, count).Select(i => $"{prefix}-{i}-{sim.Random.Next():x8}").ToList();
    }

    public List<string> Keys { get; }

    public static byte[] ValueOf(string key) => Encoding.UTF8.GetBytes("value of " + key);

    public static bool IsRight(string key, GetResult? got) =>
        got is { Found: true } && got.Value.Span.SequenceEqual(ValueOf(key));

    /// <summary>Puts every key from a node <paramref name="publisherOf"/> picks, all at once; returns the puts.</summary>
    public List<Outcome<PutResult>> PutAll(SimulatedDht sim, Func<string, DhtEngine> publisherOf) =>
        Probe.RunAll(sim, Keys.Select(k =>
        {
            var publisher = publisherOf(k);
            return (Func<Task<PutResult>>)(() => publisher.PutAsync(k, ValueOf(k)));
        }).ToList());

    /// <summary>Gets each (key, reader) pair, all at once.</summary>
    public static List<Outcome<GetResult>> GetAll(SimulatedDht sim, IEnumerable<(string Key, DhtEngine Reader)> gets) =>
        Probe.RunAll(sim, gets.Select(g => (Func<Task<GetResult>>)(() => g.Reader.GetAsync(g.Key))).ToList());

    /// <summary>
    /// Share of keys held by all of their k closest live nodes, and how many keys no live node holds.
    /// </summary>
    public (double FullyReplicated, int Lost) Replication(SimulatedDht sim)
    {
        var now = sim.Clock.GetUtcNow();
        var holders = new Dictionary<NodeId, HashSet<NodeId>>();
        foreach (var node in sim.Nodes)
        {
            foreach (var value in node.NamedValues!.Held(now))
            {
                if (!holders.TryGetValue(value.Target, out var set))
                {
                    holders[value.Target] = set = [];
                }

                set.Add(node.Id);
            }
        }

        int full = 0, lost = 0;
        foreach (var key in Keys)
        {
            var target = NodeId.FromKey(key);
            if (!holders.TryGetValue(target, out var set) || set.Count == 0)
            {
                lost++;
                continue;
            }

            if (sim.TrueClosest(target, K).All(set.Contains))
            {
                full++;
            }
        }

        return ((double)full / Keys.Count, lost);
    }
}
