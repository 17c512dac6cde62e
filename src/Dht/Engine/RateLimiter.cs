// Per-source admission of queries and of the replies we send back (libtorrent's dos_blocker and DHT upload
// quota, OpenDHT's per-IP limits). Each source address has two token buckets:
//
// - queries: MaxQueriesPerSecondPerIp, a burst of two seconds' worth; a source that empties it is ignored
//   for the block duration.
// - reply bytes: MaxReplyBytesPerSecondPerIp, a burst of three seconds' worth (libtorrent's burst for its
//   upload quota), plus every byte the source sent us. A reply that does not fit is not sent. A source with
//   a spoofed address therefore makes us send its victim at most what it sent plus the budget: no
//   amplification at volume, whatever the query (a BEP 44 get of a 1000-byte item answers 86 bytes with
//   about 1,300).
//
// Departure from libtorrent: its upload quota is one budget for the whole node (dht_upload_rate_limit,
// 8,000 bytes/s), so a flood from anywhere silences the node for everyone; here each source has its own.
//
// Loopback sources are exempt unless the node is told to limit them (DhtOptions.RateLimitLoopback): a local
// test network puts every node and client on 127.0.0.1. When limited, a loopback source is its address and
// port, as storage quotas count it (SourceKey), so the nodes of such a network do not share one budget.
//
// The table of sources is an LRU bounded by RateLimiterCapacity: lookup, insert and eviction are O(1), so a
// flood of spoofed sources costs a bounded table and constant time per datagram. Every datagram moves its
// source to the recent end, so a blocked source stays blocked for as long as it keeps sending; a block is
// forgotten only after RateLimiterCapacity other sources have been seen since its last datagram. A source
// that is not blocked is forgotten once idle for ReplyBurstSeconds (its buckets are full again by then), on
// the next datagram from anyone, so the table holds the last few seconds' sources.
using System.Runtime.CompilerServices;
using Dht.Protocol;
using Dht.Security;

namespace Dht.Engine;

/// <summary>Token buckets for queries and reply bytes, per source address (not thread-safe: one node loop).</summary>
internal sealed class RateLimiter
{
    /// <summary>Seconds of the reply-byte rate a source may spend at once (libtorrent allows 3 s of its quota).</summary>
    internal const int ReplyBurstSeconds = 3;

    private readonly double _queriesPerTick;
    private readonly double _queryBurst;
    private readonly double _replyBytesPerTick;
    private readonly double _replyBurst;
    private readonly long _blockTicks;
    private readonly long _idleTicks;
    private readonly bool _limitLoopback;
    private readonly LruTable<UInt128, Source> _sources;

    public RateLimiter(int queriesPerSecond, TimeSpan blockDuration, int capacity, int replyBytesPerSecond, bool limitLoopback)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queriesPerSecond, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(replyBytesPerSecond, 1);
        _queriesPerTick = queriesPerSecond / (double)TimeSpan.TicksPerSecond;
        _queryBurst = queriesPerSecond * 2.0;
        _replyBytesPerTick = replyBytesPerSecond / (double)TimeSpan.TicksPerSecond;
        _replyBurst = replyBytesPerSecond * (double)ReplyBurstSeconds;
        _blockTicks = blockDuration.Ticks;
        _limitLoopback = limitLoopback;

        // After this long without a datagram a source's buckets are full again (the query burst refills in
        // two seconds, the reply burst in three): unless it is blocked, its entry says nothing a new one would not.
        _idleTicks = TimeSpan.FromSeconds(ReplyBurstSeconds).Ticks;
        _sources = new LruTable<UInt128, Source>(capacity);
    }

    public int TrackedSources => _sources.Count;

    /// <summary>
    /// True when a query (or a datagram we would answer with an error) of <paramref name="bytes"/> bytes from
    /// <paramref name="source"/> may be answered now. Its bytes are credited to the source's reply budget
    /// either way.
    /// </summary>
    public bool Allow(NetEndPoint source, int bytes, DateTimeOffset now)
    {
        if (IsExempt(source))
        {
            return true;
        }

        long ticks = now.UtcTicks;
        Forget(ticks);
        ref var s = ref _sources.GetOrAdd(KeyOf(source), out bool added);
        if (added)
        {
            s.Queries = _queryBurst;
            s.ReplyBytes = _replyBurst;
            s.RefillTicks = ticks;
        }

        s.SeenTicks = ticks;
        Refill(ref s, ticks);
        s.ReplyBytes = Math.Min(_replyBurst, s.ReplyBytes + bytes);
        if (s.BlockedUntilTicks > ticks)
        {
            return false;
        }

        if (s.Queries < 1)
        {
            s.BlockedUntilTicks = ticks + _blockTicks;
            return false;
        }

        s.Queries -= 1;
        return true;
    }

    /// <summary>
    /// Takes <paramref name="bytes"/> from the reply budget of <paramref name="source"/>: false (and nothing
    /// taken) when the reply does not fit and must not be sent.
    /// </summary>
    public bool TrySpendReply(NetEndPoint source, int bytes, DateTimeOffset now)
    {
        if (IsExempt(source))
        {
            return true;
        }

        ref var s = ref _sources.Find(KeyOf(source));
        if (Unsafe.IsNullRef(ref s))
        {
            // Replies follow Allow, which tracks the source; one evicted in between starts from a full budget.
            return bytes <= _replyBurst;
        }

        Refill(ref s, now.UtcTicks);
        if (s.ReplyBytes < bytes)
        {
            return false;
        }

        s.ReplyBytes -= bytes;
        return true;
    }

    /// <summary>
    /// Forgets sources idle long enough that their entry holds nothing (full buckets, no block). Every datagram
    /// does this too, so the table holds the sources of the last few seconds (and the blocked ones): a real
    /// node's memory follows its traffic, and a simulated node's stays small.
    /// </summary>
    public void Prune(DateTimeOffset now) => Forget(now.UtcTicks);

    // Oldest first, stopping at the first entry that still holds something, so the cost is the number
    // forgotten. A blocked source stays until its block is over, and the sources behind it with it (at most
    // the table's capacity).
    private void Forget(long ticks)
    {
        while (true)
        {
            ref var oldest = ref _sources.PeekOldest();
            if (Unsafe.IsNullRef(ref oldest) || ticks - oldest.SeenTicks < _idleTicks || oldest.BlockedUntilTicks > ticks)
            {
                return;
            }

            _sources.RemoveOldest();
        }
    }

    private bool IsExempt(NetEndPoint source) => !_limitLoopback && source.IsLoopback;

    private static UInt128 KeyOf(NetEndPoint source) =>
        source.IsLoopback ? source.AddressKey ^ ((UInt128)source.Port << 64) : source.AddressKey;

    private void Refill(ref Source s, long ticks)
    {
        long elapsed = ticks - s.RefillTicks;
        if (elapsed <= 0)
        {
            return;
        }

        s.Queries = Math.Min(_queryBurst, s.Queries + (elapsed * _queriesPerTick));
        s.ReplyBytes = Math.Min(_replyBurst, s.ReplyBytes + (elapsed * _replyBytesPerTick));
        s.RefillTicks = ticks;
    }

    private struct Source
    {
        public double Queries;
        public double ReplyBytes;
        public long RefillTicks;
        public long SeenTicks;
        public long BlockedUntilTicks;
    }
}
