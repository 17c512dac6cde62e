// A network of real engines (DhtEngine, the same code that runs over UDP) on one simulated network and one
// virtual clock, all driven from the caller's thread. Each node's loop is drained by the clock (HostedLoop over
// the clock's SynchronizationContext), so its work is events of the one queue. Every random choice comes from
// the seed, so a run can be replayed exactly: the same seed gives the same events in the same order.
//
// Nodes join in two ways. Grow adds them one at a time, each bootstrapping before the next starts: the way
// a small test builds a network. GrowInWaves starts the bootstraps of a whole wave at once (up to a quarter of
// the network's size) and runs them together, which builds a large network in far less virtual time, so the
// maintenance timers of nodes already in the network fire far less often while it grows.
using Dht.Engine;
using Dht.Protocol;
using Dht.Storage;

namespace Dht.Simulation;

/// <summary>Many real DHT nodes on a <see cref="SimulatedNetwork"/> and a <see cref="SimulationClock"/>.</summary>
public sealed class SimulatedDht
{
    private readonly Func<DhtOptions>? _configure;
    private readonly Dictionary<DhtEngine, INamedValueStore> _stores = new(ReferenceEqualityComparer.Instance);

    /// <summary>A simulation whose every random choice derives from <paramref name="seed"/>.</summary>
    /// <param name="seed">The seed; printed by failures so that a run can be replayed.</param>
    /// <param name="configure">Makes the options of each new node (default: <see cref="DhtOptions"/> defaults).</param>
    /// <param name="latency">The network's latency model (default: <see cref="LatencyModel.Default"/>).</param>
    public SimulatedDht(int seed, Func<DhtOptions>? configure = null, LatencyModel? latency = null)
    {
        Seed = seed;
        Random = new Random(seed);
        Clock = new SimulationClock();
        Network = new SimulatedNetwork(Clock, new Random(seed ^ 0x5EED), latency);
        _configure = configure;
    }

    public int Seed { get; }

    /// <summary>The simulation's own random source: ids, choices of nodes and keys.</summary>
    public Random Random { get; }

    public SimulationClock Clock { get; }

    public SimulatedNetwork Network { get; }

    /// <summary>Live nodes.</summary>
    public int NodeCount => Nodes.Count;

    /// <summary>The live nodes, in the order they joined.</summary>
    internal List<DhtEngine> Nodes { get; } = [];

    /// <summary>Adds a node that bootstraps from <paramref name="bootstrap"/> (none: starts a network).</summary>
    internal DhtEngine AddNode(params NetEndPoint[] bootstrap) => AddNode(null, null, null, bootstrap);

    /// <summary>
    /// Kills <paramref name="node"/>: it stops at once (no goodbye), leaves <see cref="Nodes"/>, and its address
    /// goes silent. Its store object survives, so <see cref="Restart"/> can bring it back with what it held.
    /// </summary>
    internal void Kill(DhtEngine node)
    {
        int index = Nodes.IndexOf(node);
        if (index < 0)
        {
            throw new InvalidOperationException($"{node.Id} is not a live node of this simulation (seed {Seed}).");
        }

        KillAt(index);
    }

    /// <summary>Kills the live node at <paramref name="index"/> of <see cref="Nodes"/>; see <see cref="Kill"/>.</summary>
    internal DhtEngine KillAt(int index)
    {
        var node = Nodes[index];
        Nodes.RemoveAt(index);
        var disposed = node.DisposeAsync();
        if (!disposed.IsCompleted)
        {
            throw new InvalidOperationException($"Disposing a simulated node did not complete at once (seed {Seed}).");
        }

        return node;
    }

    /// <summary>
    /// Starts a node again after <see cref="Kill"/>: same id, same address, and the store it had (as a node
    /// reopening its database would); it joins through <paramref name="bootstrap"/>. Returns the new engine.
    /// </summary>
    internal DhtEngine Restart(DhtEngine killed, params NetEndPoint[] bootstrap)
    {
        if (Nodes.Contains(killed) || !_stores.TryGetValue(killed, out var store))
        {
            throw new InvalidOperationException($"{killed.Id} was not killed (seed {Seed}).");
        }

        _stores.Remove(killed);
        return AddNode(killed.Id, killed.LocalEndPoint, store, bootstrap);
    }

    /// <summary>Forgets the saved store of a killed node that will never come back.</summary>
    internal void Forget(DhtEngine killed) => _stores.Remove(killed);

    private DhtEngine AddNode(NodeId? id, NetEndPoint? endPoint, INamedValueStore? store, NetEndPoint[] bootstrap)
    {
        var options = _configure?.Invoke() ?? new DhtOptions();
        // The simulated 127.x.y.z addresses stand for hosts of a real network: limit them as such.
        options.RateLimitLoopback = true;
        options.NodeId = id ?? options.NodeId ?? NodeId.CreateRandom(Random);
        foreach (var b in bootstrap)
        {
            options.BootstrapNodes.Add(b);
        }

        store ??= new InMemoryNamedValueStore();
        var transport = Network.CreateTransport(endPoint);
        var engine = new DhtEngine(options, transport, Clock, new SeededRandomSource(new Random(Random.Next())), namedValues: store, loopHost: Clock.SynchronizationContext);
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

    /// <summary>
    /// Grows the network to <paramref name="count"/> nodes in waves: every node of a wave joins through a random
    /// node of the network as it was before the wave, and the wave's bootstraps run together. A wave is at most
    /// a quarter of the network's size and at most <paramref name="maxWave"/> nodes, so that every joining node
    /// finds a network already much larger than the crowd joining with it.
    /// </summary>
    public void GrowInWaves(int count, int maxWave = 2000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWave, 1);
        if (Nodes.Count == 0)
        {
            AddNode();
        }

        var joins = new List<Task<BootstrapResult>>();
        while (Nodes.Count < count)
        {
            int before = Nodes.Count;
            int wave = Math.Min(count - before, Math.Min(maxWave, Math.Max(1, before / 4)));
            joins.Clear();
            for (int i = 0; i < wave; i++)
            {
                var via = Nodes[Random.Next(before)];
                joins.Add(AddNode(via.LocalEndPoint).BootstrapAsync());
            }

            Run(Task.WhenAll(joins));
        }
    }

    /// <summary>Adds a node that joins through a random live node; returns it once the bootstrap has started.</summary>
    internal DhtEngine JoinNew(out Task<BootstrapResult> bootstrap)
    {
        var via = Nodes[Random.Next(Nodes.Count)];
        var node = AddNode(via.LocalEndPoint);
        bootstrap = node.BootstrapAsync();
        return node;
    }

    /// <summary>Runs the simulation until the task completes; fails with the seed if it does not within the limit.</summary>
    public T Run<T>(Task<T> task, TimeSpan? limit = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!Clock.RunUntil(() => task.IsCompleted, limit ?? TimeSpan.FromMinutes(10)))
        {
            throw new TimeoutException($"Simulated operation did not finish (seed {Seed}).");
        }

        return task.GetAwaiter().GetResult();
    }

    /// <inheritdoc cref="Run{T}(Task{T}, TimeSpan?)"/>
    public void Run(Task task, TimeSpan? limit = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!Clock.RunUntil(() => task.IsCompleted, limit ?? TimeSpan.FromMinutes(10)))
        {
            throw new TimeoutException($"Simulated operation did not finish (seed {Seed}).");
        }

        task.GetAwaiter().GetResult();
    }

    /// <summary>The live nodes holding an unexpired copy of <paramref name="key"/>, with the copy each holds.</summary>
    internal List<(DhtEngine Node, NamedValue Value)> Holders(string key)
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

    /// <summary>
    /// The <paramref name="k"/> ids closest to <paramref name="target"/> among the live nodes, closest first, by
    /// brute force (one pass keeping the best k, so it stays cheap at 100,000 nodes).
    /// </summary>
    public List<NodeId> TrueClosest(NodeId target, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var best = new List<NodeId>(k + 1);
        foreach (var node in Nodes)
        {
            var distance = node.Id ^ target;
            if (best.Count == k && distance >= (best[^1] ^ target))
            {
                continue;
            }

            int i = best.Count;
            while (i > 0 && (best[i - 1] ^ target) > distance)
            {
                i--;
            }

            best.Insert(i, node.Id);
            if (best.Count > k)
            {
                best.RemoveAt(k);
            }
        }

        return best;
    }
}
