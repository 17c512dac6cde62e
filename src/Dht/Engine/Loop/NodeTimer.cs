// The node's single timer. Parts with deadlines (the RPC managers' timeouts, the maintenance schedule) do not
// own timers: after any piece of work that may have moved a deadline earlier, the loop calls Arm, which asks
// for the next deadline and moves the one timer forward when needed. The timer fires on whatever thread the
// TimeProvider uses and posts the tick to the loop.
namespace Dht.Engine.Loop;

/// <summary>One timer per node, armed for the earliest deadline of the node's parts; ticks run on the loop.</summary>
internal sealed class NodeTimer : IDisposable
{
    private readonly TimeProvider _time;
    private readonly Func<DateTimeOffset> _nextDeadline;
    private readonly ITimer _timer;
    private DateTimeOffset _armedFor = DateTimeOffset.MaxValue;

    /// <param name="time">The clock.</param>
    /// <param name="loop">Where ticks run.</param>
    /// <param name="nextDeadline">The earliest deadline of the node's parts (asked on the loop).</param>
    /// <param name="tick">Runs due work at a tick (on the loop); the timer is armed again after it.</param>
    public NodeTimer(TimeProvider time, NodeLoop loop, Func<DateTimeOffset> nextDeadline, Action<DateTimeOffset> tick)
    {
        _time = time;
        _nextDeadline = nextDeadline;
        _timer = time.CreateTimer(
            static s => ((Ticker)s!).Loop.Post(static t => ((Ticker)t!).Run(), s),
            new Ticker(loop, this, tick),
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
    }

    /// <summary>Makes sure the timer fires by the next deadline. Call on the loop.</summary>
    public void Arm(DateTimeOffset now)
    {
        var next = _nextDeadline();
        if (next >= _armedFor)
        {
            return;
        }

        _armedFor = next;
        var due = next - now;
        _timer.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    public void Dispose() => _timer.Dispose();

    private sealed class Ticker(NodeLoop loop, NodeTimer owner, Action<DateTimeOffset> tick)
    {
        public NodeLoop Loop => loop;

        public void Run()
        {
            var now = owner._time.GetUtcNow();
            owner._armedFor = DateTimeOffset.MaxValue;
            tick(now);
            owner.Arm(now);
        }
    }
}
