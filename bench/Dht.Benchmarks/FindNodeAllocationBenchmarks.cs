// Managed bytes a node allocates per find_node it answers, on the whole packet path after the socket (parse,
// rate limit, routing table, answer, encode), in the two shapes of load that matter:
//
// - NewNodePerQuery: every query from a node id and an address never seen before (a crawler, a swarm of
//   newcomers, or a flood of spoofed sources). The rate limiter's table and the routing table (buckets and
//   replacement caches) are full, as they are on a node that has run for a while, so this is the steady state.
// - RepeatedNode: every query from one node that the table knows (the load generator of bench/compare.sh).
//
// Both should allocate nothing per query: every structure a query touches is bounded and reused. The clock
// moves 10 microseconds per query (100,000 queries a second), so the node's timers (query timeouts,
// maintenance) fire as they would under that load and their cost is counted too.
using BenchmarkDotNet.Attributes;
using Dht.Protocol;

namespace Dht.Benchmarks;

/// <summary>Bytes allocated per incoming find_node, from new nodes and from one repeated node.</summary>
[MemoryDiagnoser]
public class FindNodeAllocationBenchmarks
{
    private const int Calls = 4096;
    private const int Seed = 42;
    private static readonly TimeSpan Step = TimeSpan.FromTicks(100);

    private readonly Dictionary<NetEndPoint, NodeId> _answering = [];
    private NodeUnderQueries _node = null!;
    private Random _random = null!;
    private uint _nextAddress;
    private NodeId _repeatedId;
    private NetEndPoint _repeatedSource;

    [GlobalSetup]
    public void Setup()
    {
        var options = new DhtOptions();

        // One source sends every query of RepeatedNode: the limits are raised so that the path measured is the
        // answer, not the refusal (as bench/compare.sh raises them for its load generator).
        options.MaxQueriesPerSecondPerIp = 100_000_000;
        options.MaxReplyBytesPerSecondPerIp = int.MaxValue / 4;
        _random = new Random(Seed);
        _node = new NodeUnderQueries(options, Seed);
        _nextAddress = 0x0B000000;

        // Warm up as a network would: enough new nodes to fill the rate limiter's table, the buckets and the
        // replacement caches, each answering the node's verification query, so that the contacts are good.
        _node.KeepQueries = true;
        for (int i = 0; i < options.RateLimiterCapacity * 2; i++)
        {
            var (id, source) = NewNode();
            _answering[source] = id;
            _node.FindNode(id, source, NodeId.CreateRandom(_random), Step);
            _node.AnswerQueries(to => _answering.TryGetValue(to, out var known) ? known : null);
        }

        _node.KeepQueries = false;
        (_repeatedId, _repeatedSource) = NewNode();
        _node.FindNode(_repeatedId, _repeatedSource, NodeId.CreateRandom(_random), Step);
    }

    [GlobalCleanup]
    public void Cleanup() => _node.Node.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = Calls)]
    public long NewNodePerQuery()
    {
        for (int i = 0; i < Calls; i++)
        {
            var (id, source) = NewNode();
            _node.FindNode(id, source, NodeId.CreateRandom(_random), Step);
        }

        return _node.Sent;
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public long RepeatedNode()
    {
        for (int i = 0; i < Calls; i++)
        {
            _node.FindNode(_repeatedId, _repeatedSource, NodeId.CreateRandom(_random), Step);
        }

        return _node.Sent;
    }

    private (NodeId Id, NetEndPoint Source) NewNode() =>
        (NodeId.CreateRandom(_random), NetEndPoint.FromIPv4(_nextAddress++, 6881));
}
