// The loop of a real node, an actor-style serial executor: a lock-free queue with many writers and an atomic
// "running" flag. Whoever posts and wins the flag drains the queue on its own thread; whoever loses leaves
// its work in the queue for the winner. The receive thread wins it for a datagram when the loop is idle and
// nothing is queued, and answers on the spot without copying the datagram or waking a thread (the fast path
// of docs/PERFORMANCE.md).
//
// A turn runs at most ItemsPerTurn pieces of work; if more are waiting, the rest is handed to the thread pool,
// so a thread that won the loop (the process's shared receive thread among them) is never kept by another
// node's backlog. Releasing the flag is followed by one more look at the queue: work posted by a loser
// between the winner's last look and the release would otherwise wait for the next post.
using System.Collections.Concurrent;

namespace Dht.Engine.Loop;

/// <summary>A <see cref="NodeLoop"/> drained by the threads that post to it, and the thread pool.</summary>
internal sealed class PooledLoop(Action<Exception> onFault) : NodeLoop(onFault), IThreadPoolWorkItem
{
    /// <summary>Work run per turn before the rest is handed to the thread pool.</summary>
    internal const int ItemsPerTurn = 256;

    private readonly ConcurrentQueue<(SendOrPostCallback Callback, object? State)> _queue = new();
    private int _running;

    protected override bool HandsOffResults => true;

    public override void Post(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        _queue.Enqueue((d, state));
        if (Interlocked.CompareExchange(ref _running, 1, 0) == 0)
        {
            Drain();
        }
    }

    public override bool TryEnter()
    {
        if (!_queue.IsEmpty || Interlocked.CompareExchange(ref _running, 1, 0) != 0)
        {
            return false;
        }

        BeginTurn();
        return true;
    }

    public override void Exit()
    {
        try
        {
            // Usually nothing: a datagram answered on the spot posts no work.
            if (!_queue.IsEmpty)
            {
                RunQueued();
            }
        }
        finally
        {
            EndTurn();
            Release();
        }
    }

    void IThreadPoolWorkItem.Execute() => Drain();

    private void Drain()
    {
        BeginTurn();
        try
        {
            RunQueued();
        }
        finally
        {
            EndTurn();
            Release();
        }
    }

    private void RunQueued()
    {
        for (int i = 0; i < ItemsPerTurn && _queue.TryDequeue(out var item); i++)
        {
            Run(item.Callback, item.State);
        }
    }

    // Called by the flag's holder after its turn. The exchange is a full fence, so work posted by a loser before
    // it is seen by the look that follows; what is left (a backlog, or such work) goes to the pool.
    private void Release()
    {
        Interlocked.Exchange(ref _running, 0);
        if (!_queue.IsEmpty && Interlocked.CompareExchange(ref _running, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }
}
