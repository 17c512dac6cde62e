using System.Diagnostics;

namespace Dht.Adversary;

/// <summary>
/// A fixed rate for one sending thread. After a pause (this process starved of CPU) the schedule moves on
/// rather than sending more than 50 ms of datagrams in one burst.
/// </summary>
internal sealed class Pacer(int perSecond)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _due;

    /// <summary>Returns when the next datagram is due (at once if it is overdue).</summary>
    public void WaitTurn()
    {
        while (true)
        {
            long allowed = (long)(_clock.Elapsed.TotalSeconds * perSecond);
            _due = Math.Max(_due, allowed - Math.Max(1, perSecond / 20));
            if (_due < allowed)
            {
                _due++;
                return;
            }

            Thread.Sleep(1);
        }
    }
}
