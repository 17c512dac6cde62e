// One-way delays for the simulated network. The default gives every link a stable base delay derived from a
// hash of its two endpoints (the same in both directions and in every run, as a real path is fairly stable)
// plus a little random jitter per datagram, which also lets datagrams on one link overtake each other as UDP
// allows. The hash is our own: NetEndPoint.GetHashCode is randomized per process and would break replays.
using Dht.Protocol;

namespace Dht.Simulation;

/// <summary>Chooses the one-way latency of each datagram from the simulation's seeded random source.</summary>
public sealed class LatencyModel
{
    private readonly Func<Random, NetEndPoint, NetEndPoint, TimeSpan> _next;

    /// <summary>A model from a function of (random, source, destination); it must return a non-negative delay.</summary>
    public LatencyModel(Func<Random, NetEndPoint, NetEndPoint, TimeSpan> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        _next = next;
    }

    /// <summary>Per-link base latency of 10–150 ms plus up to 5 ms of jitter.</summary>
    public static LatencyModel Default { get; } =
        PerLink(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(150), TimeSpan.FromMilliseconds(5));

    /// <summary>The same latency for every datagram; uses no randomness.</summary>
    public static LatencyModel Constant(TimeSpan latency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(latency, TimeSpan.Zero);
        return new LatencyModel((_, _, _) => latency);
    }

    /// <summary>A latency drawn uniformly from [min, max] for every datagram, whatever the link.</summary>
    public static LatencyModel Uniform(TimeSpan min, TimeSpan max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(min, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        long range = max.Ticks - min.Ticks;
        return new LatencyModel((random, _, _) => TimeSpan.FromTicks(min.Ticks + random.NextInt64(range + 1)));
    }

    /// <summary>
    /// A stable base latency per link in [minBase, maxBase], chosen by hashing the two endpoints with
    /// <paramref name="linkSeed"/>, plus a random jitter in [0, maxJitter] per datagram.
    /// </summary>
    public static LatencyModel PerLink(TimeSpan minBase, TimeSpan maxBase, TimeSpan maxJitter, ulong linkSeed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minBase, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBase, minBase);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxJitter, TimeSpan.Zero);
        ulong range = (ulong)(maxBase.Ticks - minBase.Ticks) + 1;
        long jitterRange = maxJitter.Ticks + 1;
        return new LatencyModel((random, from, to) =>
        {
            long linkBase = minBase.Ticks + (long)(LinkHash(from, to, linkSeed) % range);
            return TimeSpan.FromTicks(linkBase + random.NextInt64(jitterRange));
        });
    }

    /// <summary>The latency of one datagram from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public TimeSpan Next(Random random, NetEndPoint from, NetEndPoint to)
    {
        var latency = _next(random, from, to);
        if (latency < TimeSpan.Zero)
        {
            throw new InvalidOperationException($"The latency model returned a negative delay ({latency}).");
        }

        return latency;
    }

    // Symmetric in its endpoints so that a link has one base delay in both directions.
    private static ulong LinkHash(NetEndPoint a, NetEndPoint b, ulong seed)
    {
        ulong ha = EndPointHash(a);
        ulong hb = EndPointHash(b);
        if (ha > hb)
        {
            (ha, hb) = (hb, ha);
        }

        return Mix(ha ^ Mix(hb ^ Mix(seed)));
    }

    private static ulong EndPointHash(NetEndPoint endPoint)
    {
        var key = endPoint.AddressKey;
        return Mix((ulong)key ^ Mix((ulong)(key >> 64) ^ Mix(endPoint.Port)));
    }

    // The splitmix64 finalizer: cheap and mixes every input bit into every output bit.
    private static ulong Mix(ulong x)
    {
        unchecked
        {
            x ^= x >> 30;
            x *= 0xBF58476D1CE4E5B9UL;
            x ^= x >> 27;
            x *= 0x94D049BB133111EBUL;
            x ^= x >> 31;
            return x;
        }
    }
}
