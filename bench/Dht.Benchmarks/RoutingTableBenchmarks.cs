// The routing table's per-datagram operations: FindClosestVerified answers every incoming find_node and
// get_peers (FindClosest, without the state check, seeds our own lookups), and Heard records every valid
// message from a node already known (the common case).
//
// The table is filled the way a node fills it, through Heard with random ids, so bucket shapes, splits and
// replacement caches are realistic. Randomness and time are fixed, so every run measures the same table.
using BenchmarkDotNet.Attributes;
using Dht.Protocol;
using Dht.Routing;

namespace Dht.Benchmarks;

/// <summary>RoutingTable.FindClosest and the update path of RoutingTable.Heard.</summary>
[MemoryDiagnoser]
public class RoutingTableBenchmarks
{
    /// <summary>Nodes offered to the table; most end up in replacement caches or are turned away as Full.</summary>
    public const int NodesHeard = 5000;

    private const int Seed = 42;
    private const int TargetCount = 1024; // a power of two, so cycling is a mask

    private static readonly DateTimeOffset Now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan RoundTrip = TimeSpan.FromMilliseconds(42);

    private readonly List<NodeInfo> _closest = new(8);

    private RoutingTable _table = null!;
    private NodeId[] _targets = [];
    private NodeId[] _nearTargets = [];
    private NodeInfo[] _known = [];
    private int _nextTarget;
    private int _nextKnown;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(Seed);
        _table = new RoutingTable(NodeId.CreateRandom(random), new RoutingTableOptions(), Now);
        for (int i = 0; i < NodesHeard; i++)
        {
            var endPoint = NetEndPoint.FromIPv4((uint)random.Next(0x01000000, int.MaxValue), (ushort)random.Next(1024, 65536));
            _table.Heard(new NodeInfo(NodeId.CreateRandom(random), endPoint), isResponse: true, Now);
        }

        _targets = new NodeId[TargetCount];
        for (int i = 0; i < _targets.Length; i++)
        {
            _targets[i] = NodeId.CreateRandom(random);
        }

        // Deep inside our own subtree, as lookups for our own id and their replies are: the deepest bucket
        // alone holds the answer.
        _nearTargets = new NodeId[TargetCount];
        for (int i = 0; i < _nearTargets.Length; i++)
        {
            _nearTargets[i] = _table.LocalId.RandomWithPrefix(NodeId.Bits / 2, random);
        }

        _known = [.. _table.Contacts.Select(c => c.Node)];
        random.Shuffle(_known);

        // Grow the reused lists to their working size so the measured calls see the steady state.
        _table.FindClosest(_targets[0], 8, _closest);
        Console.WriteLine(
            $"// Routing table: {_table.Count} contacts in {_table.BucketCount} buckets, {_table.ReplacementCount} replacements");
    }

    /// <summary>The 8 closest good or questionable contacts to a random target, as a find_node reply needs.</summary>
    [Benchmark]
    public int FindClosest8()
    {
        var target = _targets[_nextTarget++ & (TargetCount - 1)];
        _table.FindClosest(target, 8, _closest);
        return _closest.Count;
    }

    /// <summary>The same for targets near our own id: one bucket is collected and sorted.</summary>
    [Benchmark]
    public int FindClosest8_NearOwnId()
    {
        var target = _nearTargets[_nextTarget++ & (TargetCount - 1)];
        _table.FindClosest(target, 8, _closest);
        return _closest.Count;
    }

    /// <summary>The 8 closest good contacts, as a reply to another node lists them (a state check per contact).</summary>
    [Benchmark]
    public int FindClosestVerified8()
    {
        var target = _targets[_nextTarget++ & (TargetCount - 1)];
        _table.FindClosestVerified(target, 8, _closest, Now);
        return _closest.Count;
    }

    /// <summary>
    /// A response from a contact already in a bucket: refresh it, fold its round trip into its estimate and move it
    /// to the bucket's tail.
    /// </summary>
    [Benchmark]
    public int Heard_KnownContact()
    {
        var node = _known[_nextKnown];
        _nextKnown = _nextKnown + 1 == _known.Length ? 0 : _nextKnown + 1;
        return (int)_table.Heard(node, isResponse: true, Now, RoundTrip).Outcome;
    }
}
