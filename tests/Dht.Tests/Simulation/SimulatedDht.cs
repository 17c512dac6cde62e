using Dht.Engine;
using Dht.Protocol;
using Dht.Testing;

namespace Dht.Tests.Simulation;

/// <summary>
/// A network of real engines on the simulated network and virtual clock, all on the test's thread.
/// Every random choice comes from the seed, so a run can be replayed exactly.
/// </summary>
internal sealed class SimulatedDht
{
    private readonly Func<DhtOptions>? _configure;

    public SimulatedDht(int seed, Func<DhtOptions>? configure = null)
    {
        Seed = seed;
        Random = new Random(seed);
        Clock = new SimulationClock();
        Network = new SimulatedNetwork(Clock, new Random(seed ^ 0x5EED));
        _configure = configure;
    }

    public int Seed { get; }

    public Random Random { get; }

    public SimulationClock Clock { get; }

    public SimulatedNetwork Network { get; }

    public List<DhtEngine> Nodes { get; } = [];

    /// <summary>Adds a node that bootstraps from <paramref name="bootstrap"/> (none: starts a network).</summary>
    public DhtEngine AddNode(params NetEndPoint[] bootstrap)
    {
        var options = _configure?.Invoke() ?? new DhtOptions();
        options.NodeId ??= NodeId.CreateRandom(Random);
        foreach (var b in bootstrap)
        {
            options.BootstrapNodes.Add(b);
        }

        var transport = Network.CreateTransport();
        var engine = new DhtEngine(options, transport, Clock, new SeededRandomSource(new Random(Random.Next())));
        engine.Start();
        Nodes.Add(engine);
        return engine;
    }

    /// <summary>Grows the network to <paramref name="count"/> nodes, each joining through a random earlier node.</summary>
    public void Grow(int count)
    {
        if (Nodes.Count == 0)
        {
            AddNode();
        }

        while (Nodes.Count < count)
        {
            var via = Nodes[Random.Next(Nodes.Count)];
            var node = AddNode(via.LocalEndPoint);
            Run(node.BootstrapAsync());
        }
    }

    /// <summary>Runs the simulation until the task completes; fails with the seed if it does not within the limit.</summary>
    public T Run<T>(Task<T> task, TimeSpan? limit = null)
    {
        if (!Clock.RunUntil(() => task.IsCompleted, limit ?? TimeSpan.FromMinutes(10)))
        {
            throw new TimeoutException($"Simulated operation did not finish (seed {Seed}).");
        }

        return task.GetAwaiter().GetResult();
    }

    /// <summary>The k ids closest to <paramref name="target"/> among the live nodes, by brute force.</summary>
    public List<NodeId> TrueClosest(NodeId target, int k) =>
        Nodes.Select(n => n.Id).OrderBy(id => id ^ target).Take(k).ToList();
}
