// The rate limiter's cost per datagram when every datagram comes from a source it has not seen (a flood of
// spoofed or many distinct addresses) and its table is full: each call inserts one source and forgets the
// least recently seen one. The cost must not grow with the table's capacity.
using BenchmarkDotNet.Attributes;
using Dht.Engine;
using Dht.Protocol;

namespace Dht.Benchmarks;

/// <summary>RateLimiter.Allow with a new source per call on a full table.</summary>
[MemoryDiagnoser]
public class RateLimiterBenchmarks
{
    private const int Calls = 4096;

    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private RateLimiter _limiter = null!;
    private uint _nextAddress;
    private long _tick;

    /// <summary>Sources the limiter tracks; 10,000, the default, when run without BenchmarkDotNet (--smoke).</summary>
    [Params(1_000, 10_000, 100_000)]
    public int Capacity { get; set; } = 10_000;

    [GlobalSetup]
    public void Setup()
    {
        _limiter = new RateLimiter(500, TimeSpan.FromMinutes(1), Capacity, 32_768, limitLoopback: true);
        _nextAddress = 0x0A000000;
        for (int i = 0; i < Capacity; i++)
        {
            NewSource();
        }
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public bool NewSourcePerDatagram()
    {
        bool allowed = false;
        for (int i = 0; i < Calls; i++)
        {
            allowed ^= NewSource();
        }

        return allowed;
    }

    private bool NewSource()
    {
        var source = NetEndPoint.FromIPv4(_nextAddress++, 6881);
        return _limiter.Allow(source, 60, Start + TimeSpan.FromTicks(++_tick * 100));
    }
}
