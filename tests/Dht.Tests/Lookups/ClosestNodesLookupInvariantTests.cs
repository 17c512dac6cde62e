using Dht.Lookups;
using Dht.Protocol;
using Dht.Rpc;
using static Dht.Tests.Lookups.LookupTestNodes;

namespace Dht.Tests.Lookups;

/// <summary>
/// Drives lookups with random options, per-query timeouts, avoided nodes, answers, garbage, failures and
/// silences from fixed seeds, and checks what must hold whatever happens.
/// </summary>
public sealed class ClosestNodesLookupInvariantTests
{
    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        for (int seed = 1; seed <= 40; seed++)
        {
            seeds.Add(seed);
        }

        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Lookup_UnderRandomAnswersFailuresAndTimeouts_KeepsItsInvariants(int seed)
    {
        var random = new Random(seed);
        int k = random.Next(1, 11);
        var options = new LookupOptions
        {
            K = k,
            Alpha = random.Next(1, 6),
            Spares = random.Next(0, 3),
            MaxCandidates = k + random.Next(0, 20),
            MaxQueries = random.Next(5, 60),
        };
        var excluded = Id((ulong)random.Next(1, 400));
        var seeds = new NodeInfo[random.Next(0, 12)];
        for (int i = 0; i < seeds.Length; i++)
        {
            seeds[i] = Node((ulong)random.Next(1, 400));
        }

        var advisor = new ScriptedAdvisor();
        for (ulong n = 1; n < 400; n++)
        {
            int soft = random.Next(20, 600);
            advisor.Timeouts[Id(n)] = new QueryTimeouts(TimeSpan.FromMilliseconds(soft), TimeSpan.FromMilliseconds(soft * random.Next(1, 4)));
            if (random.Next(10) == 0)
            {
                advisor.AvoidedUntil[Id(n)] = T0.AddMilliseconds(random.Next(0, 3000));
            }
        }

        var lookup = new ClosestNodesLookup(NodeId.Zero, seeds, options, advisor);
        lookup.Exclude(excluded);
        string context = $"seed {seed}, k {options.K}, α {options.Alpha}, spares {options.Spares}, max candidates {options.MaxCandidates}, max queries {options.MaxQueries}";

        var asked = new Dictionary<NodeId, DateTimeOffset>();
        var pending = new List<NodeInfo>();
        var answered = new List<NodeInfo>();
        var heard = new HashSet<NodeId>();
        foreach (var s in seeds)
        {
            heard.Add(s.Id);
        }

        var now = T0;
        for (int guard = 0; ; guard++)
        {
            Assert.True(guard < 100_000, $"{context}: no end");
            var step = lookup.Next(now);
            Assert.True(lookup.InFlight <= Math.Max(options.K + options.Spares, options.Alpha), $"{context}: {lookup.InFlight} in flight");
            if (step.Kind == LookupStepKind.Finished)
            {
                break;
            }

            if (step.Kind == LookupStepKind.Query)
            {
                Assert.True(asked.TryAdd(step.Node.Id, now), $"{context}: {step.Node} asked twice");
                Assert.False(advisor.IsAvoided(step.Node, now), $"{context}: {step.Node} asked while avoided");
                Assert.NotEqual(excluded, step.Node.Id);
                Assert.False(step.Node.EndPoint.IsUnusable, context);
                pending.Add(step.Node);
                continue;
            }

            Assert.True(step.WakeAt > now, $"{context}: woken for {step.WakeAt} at {now}");
            int action = random.Next(10);
            if (pending.Count > 0 && action < 6)
            {
                var from = Take(pending, random);
                var closer = new NodeInfo[random.Next(0, 12)];
                for (int i = 0; i < closer.Length; i++)
                {
                    closer[i] = random.Next(8) switch
                    {
                        0 => from,
                        1 => new NodeInfo(excluded, Node(1).EndPoint),
                        2 => new NodeInfo(Id((ulong)random.Next(1, 400)), default),
                        _ => Node((ulong)random.Next(1, 400)),
                    };
                    heard.Add(closer[i].Id);
                }

                now = now.AddMilliseconds(random.Next(0, 300));
                if (lookup.OnResponse(from, closer, now))
                {
                    answered.Add(from);
                }
            }
            else if (pending.Count > 0 && action < 8)
            {
                lookup.OnFailure(Take(pending, random), now);
            }
            else
            {
                // Silence: let the clock run to the lookup's next deadline.
                now = step.WakeAt;
            }
        }

        answered.Sort((a, b) => a.Id.CompareTo(b.Id)); // distance to Zero is the id itself
        var expected = answered.Take(options.K).ToArray();
        Assert.True(expected.SequenceEqual(lookup.Results), $"{context}: results [{string.Join(", ", lookup.Results)}], answered [{string.Join(", ", answered)}]");
        Assert.Equal(answered.Count, lookup.Responses);
        Assert.True(lookup.QueriesSent <= options.MaxQueries, context);
        if (lookup.QueriesSent < options.MaxQueries)
        {
            // Finished with nothing left that could have entered the result: no node closer than the k-th
            // answer (or any node, short of k) is still to be asked or within its soft timeout.
            var kth = lookup.Results.Count == options.K ? lookup.Results[^1].Id : (NodeId?)null;
            foreach (var id in heard)
            {
                var state = lookup.StateOf(id);
                bool couldMatter = kth is not { } last || id.CompareTo(last) < 0;
                Assert.False(
                    couldMatter && state is LookupNodeState.NotContacted or LookupNodeState.Waiting,
                    $"{context}: {id.ToShortString()} left {state}");
            }
        }

        if (lookup.Responses < options.K)
        {
            // Short of k answers, silent nodes are waited for until their hard timeout unless more nodes answered.
            var silent = asked
                .Where(a => lookup.StateOf(a.Key) == LookupNodeState.Unresponsive && now < a.Value + advisor.TimeoutsFor(new NodeInfo(a.Key, default)).Hard)
                .Select(a => a.Key.ToShortString())
                .ToList();
            Assert.True(
                silent.Count == 0 || lookup.Responses > silent.Count,
                $"{context}: finished at {now:HH:mm:ss.fff} with {lookup.Responses} answers before the hard timeout of {string.Join(", ", silent)}");
        }
    }

    private static NodeInfo Take(List<NodeInfo> list, Random random)
    {
        int i = random.Next(list.Count);
        var node = list[i];
        list.RemoveAt(i);
        return node;
    }
}
