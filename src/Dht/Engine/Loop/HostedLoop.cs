// The loop of a simulated node: its host (the simulation clock's SynchronizationContext) already runs
// everything one event at a time on one thread, so a post from outside the loop becomes an event of the
// host, and a post from inside a turn (a continuation, a completion) runs at the end of that same turn.
// Nothing here depends on thread timing, so a simulation replays exactly from its seed.
namespace Dht.Engine.Loop;

/// <summary>A <see cref="NodeLoop"/> drained by a host SynchronizationContext (the simulation clock).</summary>
internal sealed class HostedLoop : NodeLoop
{
    private readonly SynchronizationContext _host;
    private readonly Queue<(SendOrPostCallback Callback, object? State)> _turnQueue = new();
    private bool _inTurn;

    public HostedLoop(SynchronizationContext host, Action<Exception> onFault)
        : base(onFault)
    {
        ArgumentNullException.ThrowIfNull(host);
        _host = host;
    }

    protected override bool HandsOffResults => false;

    public override void Post(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        if (_inTurn)
        {
            _turnQueue.Enqueue((d, state));
            return;
        }

        _host.Post(static s => ((HostedPost)s!).Run(), new HostedPost(this, d, state));
    }

    public override bool TryEnter()
    {
        if (_inTurn)
        {
            return false;
        }

        _inTurn = true;
        BeginTurn();
        return true;
    }

    public override void Exit()
    {
        try
        {
            while (_turnQueue.TryDequeue(out var item))
            {
                Run(item.Callback, item.State);
            }
        }
        finally
        {
            EndTurn();
            _inTurn = false;
        }
    }

    private void RunEvent(SendOrPostCallback callback, object? state)
    {
        if (!TryEnter())
        {
            _turnQueue.Enqueue((callback, state));
            return;
        }

        try
        {
            Run(callback, state);
        }
        finally
        {
            Exit();
        }
    }

    private sealed record HostedPost(HostedLoop Loop, SendOrPostCallback Callback, object? State)
    {
        public void Run() => Loop.RunEvent(Callback, State);
    }
}
