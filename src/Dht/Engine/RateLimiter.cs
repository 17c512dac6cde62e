// Per-source query rate limiting (libtorrent and OpenDHT do the same): a token bucket per address, and a
// temporary block for an address that empties its bucket. The table of addresses is bounded; when full,
// the entry seen least recently is dropped, so a flood of spoofed sources costs memory only up to the cap.
using Dht.Protocol;

namespace Dht.Engine;

/// <summary>Token-bucket limiter keyed by source address.</summary>
internal sealed class RateLimiter
{
    private readonly double _ratePerSecond;
    private readonly double _burst;
    private readonly TimeSpan _blockDuration;
    private readonly int _capacity;
    private readonly Dictionary<UInt128, Entry> _entries = [];

    public RateLimiter(int ratePerSecond, TimeSpan blockDuration, int capacity)
    {
        _ratePerSecond = ratePerSecond;
        _burst = ratePerSecond * 2.0;
        _blockDuration = blockDuration;
        _capacity = capacity;
    }

    public int TrackedSources => _entries.Count;

    /// <summary>True when a query from <paramref name="source"/> may be answered now.</summary>
    public bool Allow(NetEndPoint source, DateTimeOffset now)
    {
        // Loopback sources are keyed by address and port: local test networks put every node on 127.0.0.1.
        var key = source.IsLoopback ? source.AddressKey ^ ((UInt128)source.Port << 64) : source.AddressKey;
        long ticks = now.UtcTicks;
        if (!_entries.TryGetValue(key, out var e))
        {
            if (_entries.Count >= _capacity)
            {
                EvictOldest();
            }

            _entries[key] = new Entry { Tokens = _burst - 1, LastTicks = ticks };
            return true;
        }

        if (e.BlockedUntilTicks > ticks)
        {
            return false;
        }

        e.Tokens = Math.Min(_burst, e.Tokens + ((ticks - e.LastTicks) / (double)TimeSpan.TicksPerSecond * _ratePerSecond));
        e.LastTicks = ticks;
        if (e.Tokens < 1)
        {
            e.BlockedUntilTicks = ticks + _blockDuration.Ticks;
            return false;
        }

        e.Tokens -= 1;
        return true;
    }

    /// <summary>
    /// Forgets sources idle long enough for their bucket to be full again and not blocked: they would start
    /// from a full bucket anyway. Keeps the table (and a simulated node's memory) proportional to active sources.
    /// </summary>
    public void Prune(DateTimeOffset now)
    {
        long ticks = now.UtcTicks;
        long refill = (long)(_burst / _ratePerSecond * TimeSpan.TicksPerSecond);
        foreach (var (key, entry) in _entries)
        {
            if (entry.BlockedUntilTicks <= ticks && ticks - entry.LastTicks >= refill)
            {
                _entries.Remove(key);
            }
        }
    }

    private void EvictOldest()
    {
        UInt128 oldest = default;
        long oldestTicks = long.MaxValue;
        foreach (var (key, entry) in _entries)
        {
            if (entry.LastTicks < oldestTicks && entry.BlockedUntilTicks < entry.LastTicks)
            {
                oldestTicks = entry.LastTicks;
                oldest = key;
            }
        }

        if (oldestTicks == long.MaxValue)
        {
            // Everything is blocked: drop an arbitrary entry rather than grow.
            foreach (var key in _entries.Keys)
            {
                oldest = key;
                break;
            }
        }

        _entries.Remove(oldest);
    }

    private sealed class Entry
    {
        public double Tokens;
        public long LastTicks;
        public long BlockedUntilTicks;
    }
}
