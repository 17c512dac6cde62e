namespace Dht.Rpc;

/// <summary>
/// The round trips of the last <see cref="Size"/> answers from any node, and the longest of them: the node-wide
/// estimate for a destination never measured. One TCP estimator fed by many paths at once swings with whichever
/// paths answered last, and its SRTT + 4 RTTVAR can fall below the round trip of a far but live node; the longest
/// of the last 64 round trips is a steadier bound (about the 98th percentile of the recent ones). O(1) amortised:
/// the maximum is recomputed only when the sample holding it leaves the window.
/// </summary>
internal sealed class RoundTripWindow
{
    /// <summary>Samples kept. 64: enough that the longest is a high percentile, few enough to follow a change within seconds.</summary>
    public const int Size = 64;

    private readonly long[] _ticks = new long[Size];
    private int _next;
    private int _count;
    private long _max;

    /// <summary>Samples held, up to <see cref="Size"/>.</summary>
    public int Count => _count;

    /// <summary>The longest round trip held; zero when none.</summary>
    public TimeSpan Max => TimeSpan.FromTicks(_max);

    public void Add(TimeSpan sample)
    {
        long ticks = Math.Max(0, sample.Ticks);
        long leaving = _ticks[_next];
        _ticks[_next] = ticks;
        _next = (_next + 1) % Size;
        if (_count < Size)
        {
            _count++;
        }

        if (ticks >= _max)
        {
            _max = ticks;
        }
        else if (leaving == _max)
        {
            _max = 0;
            for (int i = 0; i < _count; i++)
            {
                _max = Math.Max(_max, _ticks[i]);
            }
        }
    }
}
