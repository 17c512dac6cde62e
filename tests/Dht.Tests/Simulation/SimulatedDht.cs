using Dht.Engine;
using Dht.Protocol;
using Dht.Storage;
using Dht.Simulation;

namespace Dht.Tests.Simulation;

/// <summary>
/// A network of real engines on the simulated network and virtual clock, all on the test's thread.
/// Every random choice comes from the seed, so a run can be replayed exactly.
/// </summary>
internal sealed class SimulatedDht
{
    private readonly Func<DhtOptions>? _configure;
    private readonly Dictionary<DhtEngine, INamedValueStore> _stores = new(ReferenceEqualityComparer.Instance);

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
    public DhtEngine AddNode(params NetEndPoint[] bootstrap) => AddNode(null, null, null, bootstrap);

    /// <summary>
    /// Kills <paramref name="node"/>: it stops at once (no goodbye), leaves <see cref="Nodes"/>, and its address
    /// goes silent. Its store object survives, so <see cref="Restart"/> can bring it back with what it held.
    /// </summary>
    public void Kill(DhtEngine node)
    {
        if (!Nodes.Remove(node))
        {
            throw new InvalidOperationException($"{node.Id} is not a live node of this simulation (seed {Seed}).");
        }

        var disposed = node.DisposeAsync();
        if (!disposed.IsCompleted)
        {
            throw new InvalidOperationException($"Disposing a simulated node did not complete at once (seed {Seed}).");
        }
    }

    /// <summary>
    /// Starts a node again after <see cref="Kill"/>: same id, same address, and the store it had (as a node
    /// reopening its database would); it joins through <paramref name="bootstrap"/>. Returns the new engine.
    /// </summary>
    public DhtEngine Restart(DhtEngine killed, params NetEndPoint[] bootstrap)
    {
        if (Nodes.Contains(killed) || !_stores.TryGetValue(killed, out var store))
        {
            throw new InvalidOperationException($"{killed.Id} was not killed (seed {Seed}).");
        }

        _stores.Remove(killed);
        return AddNode(killed.Id, killed.LocalEndPoint, store, bootstrap);
    }

    private DhtEngine AddNode(NodeId? id, NetEndPoint? endPoint, INamedValueStore? store, NetEndPoint[] bootstrap)
    {
        var options = _configure?.Invoke() ?? new DhtOptions();
        options.NodeId = id ?? options.NodeId ?? NodeId.CreateRandom(Random);
        foreach (var b in bootstrap)
        {
            options.BootstrapNodes.Add(b);
        }

        store ??= new InMemoryNamedValueStore();
        var transport = Network.CreateTransport(endPoint);
        var engine = new DhtEngine(options, transport, Clock, new SeededRandomSource(new Random(Random.Next())), namedValues: store);
        engine.Start();
        Nodes.Add(engine);
        _stores[engine] = store;
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

    /// <summary>The live nodes holding an unexpired copy of <paramref name="key"/>, with the copy each holds.</summary>
    public List<(DhtEngine Node, NamedValue Value)> Holders(string key)
    {
        var target = NodeId.FromKey(key);
        var now = Clock.GetUtcNow();
        List<(DhtEngine, NamedValue)> holders = [];
        foreach (var node in Nodes)
        {
            foreach (var value in node.NamedValues!.Held(now))
            {
                if (value.Target == target)
                {
                    holders.Add((node, value));
                }
            }
        }

        return holders;
    }

    /// <summary>The k ids closest to <paramref name="target"/> among the live nodes, by brute force.</summary>
    public List<NodeId> TrueClosest(NodeId target, int k) =>
        Nodes.Select(n => n.Id).OrderBy(id => id ^ target).Take(k).ToList();
}
