// The XOR-metric primitives under every routing decision. Each benchmark runs over 256 id pairs per
// invocation, so the per-operation time is not lost in the harness's own overhead.
using BenchmarkDotNet.Attributes;
using Dht.Protocol;

namespace Dht.Benchmarks;

/// <summary>NodeId XOR, CompareDistance and CommonPrefixLength.</summary>
[MemoryDiagnoser]
public class NodeIdBenchmarks
{
    private const int Seed = 7;
    private const int Pairs = 256;

    private NodeId _target;
    private NodeId[] _a = [];
    private NodeId[] _b = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(Seed);
        _target = NodeId.CreateRandom(random);
        _a = new NodeId[Pairs];
        _b = new NodeId[Pairs];
        for (int i = 0; i < Pairs; i++)
        {
            _a[i] = NodeId.CreateRandom(random);
            _b[i] = NodeId.CreateRandom(random);
        }
    }

    [Benchmark(OperationsPerInvoke = Pairs)]
    public NodeId Xor()
    {
        var acc = NodeId.Zero;
        for (int i = 0; i < Pairs; i++)
        {
            acc ^= _a[i] ^ _b[i];
        }

        return acc;
    }

    [Benchmark(OperationsPerInvoke = Pairs)]
    public int CompareDistance()
    {
        int acc = 0;
        for (int i = 0; i < Pairs; i++)
        {
            acc += _target.CompareDistance(_a[i], _b[i]);
        }

        return acc;
    }

    [Benchmark(OperationsPerInvoke = Pairs)]
    public int CommonPrefixLength()
    {
        int acc = 0;
        for (int i = 0; i < Pairs; i++)
        {
            acc += _a[i].CommonPrefixLength(_b[i]);
        }

        return acc;
    }
}
