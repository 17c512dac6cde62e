// Starts iterative lookups on one network (address family) and keeps track of the running ones: seeds each
// from the routing table, sends the queries its state machine asks for (get_peers names its target
// info_hash, every other method target), and marks the target's bucket refreshed when it finishes. A lookup
// with our extension's method (find_value) sends it only to nodes known to serve the extension and find_node
// to the others (ExtensionReach; LookupRun follows up on nodes that turn out to serve it).
using Dht.Engine.Loop;
using Dht.Engine.Network;
using Dht.Lookups;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Routing;

namespace Dht.Engine.Operations;

/// <summary>The lookups of one network.</summary>
internal sealed class LookupRunner(IQueryNetwork network, NodeLoop loop, TimeProvider time, LookupOptions options)
{
    private readonly HashSet<LookupRun> _running = [];
    private readonly List<NodeInfo> _seeds = [];
    private readonly List<LookupRun> _due = [];
    private bool _closed;

    /// <summary>Lookups running now.</summary>
    public int Running => _running.Count;

    internal NodeLoop Loop => loop;

    /// <summary>Runs a lookup to completion. Call on the loop; honours cancellation.</summary>
    /// <param name="method">The query each step sends.</param>
    /// <param name="target">The id looked up.</param>
    /// <param name="onResponse">Sees every answer (on the loop, inside the RPC callback).</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <param name="started">Receives the running lookup before its first query, so that a callback can end it early.</param>
    /// <param name="purpose">A write ends without the laggards and hands their late answers to its write (LookupPurpose).</param>
    public async Task<LookupRun> RunAsync(
        KrpcMethod method,
        NodeId target,
        Action<NodeInfo, KrpcMessage>? onResponse,
        CancellationToken cancellationToken,
        Action<LookupRun>? started = null,
        LookupPurpose purpose = LookupPurpose.Read)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_closed, this);
        var run = Start(method, target, onResponse, time.GetUtcNow(), started, purpose);
        await using var registration = cancellationToken.Register(
            static (s, token) => ((LookupRun)s!).CancelFromAnyThread(token), run).ConfigureAwait(true);
        return await run.Completion.ConfigureAwait(true);
    }

    /// <summary>Starts a lookup seeded from the routing table. Call on the loop.</summary>
    public LookupRun Start(
        KrpcMethod method,
        NodeId target,
        Action<NodeInfo, KrpcMessage>? onResponse,
        DateTimeOffset now,
        Action<LookupRun>? started = null,
        LookupPurpose purpose = LookupPurpose.Read)
    {
        _seeds.Clear();
        int seeds = Math.Max(options.K * 2, 16);
        if (ExtensionReach.IsExtensionMethod(method))
        {
            // The closest contacts, and as many that serve the extension among the 4 times as many closest: where
            // they are few, the closest contacts may not name them, and other implementations never will.
            network.FindClosest(target, seeds * 4, _seeds);
            int kept = 0, serving = 0;
            for (int i = 0; i < _seeds.Count; i++)
            {
                if (IsAvoided(_seeds[i], now))
                {
                    continue;
                }

                bool serves = network.ExtensionOf(_seeds[i]) == ExtensionSupport.Speaks;
                if (kept < seeds || (serves && serving < seeds))
                {
                    _seeds[kept++] = _seeds[i];
                    serving += serves ? 1 : 0;
                }
            }

            _seeds.RemoveRange(kept, _seeds.Count - kept);
        }
        else
        {
            // Twice as many, so that contacts the lookup would not ask (they failed us recently) leave room for
            // others: after many nodes leave at once, the closest contacts can all be gone.
            network.FindClosest(target, seeds * 2, _seeds);
            int kept = 0;
            for (int i = 0; i < _seeds.Count && kept < seeds; i++)
            {
                if (!IsAvoided(_seeds[i], now))
                {
                    _seeds[kept++] = _seeds[i];
                }
            }

            _seeds.RemoveRange(kept, _seeds.Count - kept);
        }

        var lookup = new ClosestNodesLookup(target, _seeds, options, network.LookupAdvisor, purpose);
        lookup.Exclude(network.LocalId);
        var run = new LookupRun(this, method, lookup, onResponse, now);
        _running.Add(run);
        started?.Invoke(run);
        run.Pump(now);
        return run;
    }

    private bool IsAvoided(NodeInfo node, DateTimeOffset now) => network.LookupAdvisor?.IsAvoided(node, now) ?? false;

    /// <summary>
    /// The earliest end of a small network's grace among the running lookups (LookupRun.WakeDeadline), for the
    /// node's one timer; <see cref="DateTimeOffset.MaxValue"/> when none waits on one.
    /// </summary>
    public DateTimeOffset NextDeadline
    {
        get
        {
            var next = DateTimeOffset.MaxValue;
            foreach (var run in _running)
            {
                var at = run.WakeDeadline;
                next = at < next ? at : next;
            }

            return next;
        }
    }

    /// <summary>Pumps the lookups whose grace has ended by <paramref name="now"/>. Call on the loop, from the node's timer.</summary>
    public void Tick(DateTimeOffset now)
    {
        foreach (var run in _running)
        {
            if (run.WakeDeadline <= now)
            {
                _due.Add(run);
            }
        }

        foreach (var run in _due)
        {
            run.Pump(now); // may finish it, which takes it out of _running: hence the list
        }

        _due.Clear();
    }

    /// <summary>Cancels every running lookup and refuses new ones (shutdown).</summary>
    public void CancelAll()
    {
        _closed = true;
        foreach (var run in _running.ToArray())
        {
            run.Cancel(CancellationToken.None);
        }
    }

    /// <summary>What a node has shown of our extension (see <see cref="IQueryNetwork.ExtensionOf"/>).</summary>
    internal ExtensionSupport ExtensionOf(NodeInfo node) => network.ExtensionOf(node);

    /// <summary>
    /// Sends the lookup's query to <paramref name="node"/>: find_node in place of our extension's method when the
    /// node is not known to serve it, neither to us nor to the node that named it in a find_value answer.
    /// </summary>
    internal void Send(LookupRun run, NodeInfo node, DateTimeOffset now) =>
        Send(run, node, ExtensionReach.IsExtensionMethod(run.Method) && network.ExtensionOf(node) != ExtensionSupport.Speaks && !run.NamedByServer(node)
            ? ExtensionReach.Traversal(run.Method)
            : run.Method, now);

    internal void Send(LookupRun run, NodeInfo node, KrpcMethod method, DateTimeOffset now)
    {
        var q = network.PrepareQuery(method);
        if (method == KrpcMethod.GetPeers)
        {
            q.InfoHash = run.Target;
            q.Fields |= KrpcFields.InfoHash;
        }
        else
        {
            q.Target = run.Target;
            q.Fields |= KrpcFields.Target;
        }

        network.Send(q, node, run, now);
    }

    internal void Finished(LookupRun run, DateTimeOffset? now)
    {
        _running.Remove(run);
        network.LookupFinished(run.Target, now ?? time.GetUtcNow());
    }
}
