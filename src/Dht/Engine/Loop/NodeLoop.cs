// The one owner of a node's state: every part of the engine runs on its node's loop, one piece of work at a
// time, so nothing in the engine takes a lock. Work reaches the loop in three ways: a datagram (handled at once
// on the receive thread when the loop is idle, queued otherwise), the node's timer, and the application's
// calls (started on the loop through InvokeAsync). While the loop runs, it is the current
// SynchronizationContext, so every await inside the engine comes back to it.
//
// Two ways to drain it: PooledLoop (real nodes: a lock-free queue, drained by whichever thread wins the loop,
// a bounded number of items per turn) and HostedLoop (simulations: each post is an event of the simulation
// clock, so a run depends only on its seed).
//
// Completing a task on the loop runs the engine's own awaiting code inline, which is what keeps a lookup
// step cheap; but code that completes a task while it holds scratch state (a half-built message, a reused
// list) must use CompleteLater, so that the continuations run after the current piece of work instead of
// inside it.
namespace Dht.Engine.Loop;

/// <summary>A serial executor that owns one node's state; also that node's SynchronizationContext.</summary>
internal abstract class NodeLoop : SynchronizationContext
{
    private readonly Action<Exception> _onFault;
    private SynchronizationContext? _outer;
    private int _ownerThread;

    /// <param name="onFault">Told about work that threw (logged and counted by the engine); the loop goes on.</param>
    protected NodeLoop(Action<Exception> onFault)
    {
        ArgumentNullException.ThrowIfNull(onFault);
        _onFault = onFault;
    }

    /// <summary>True on the thread that runs the loop now.</summary>
    public bool IsOnLoop => Volatile.Read(ref _ownerThread) == Environment.CurrentManagedThreadId;

    /// <summary>
    /// True when tasks handed to code outside the engine must run their continuations elsewhere (real threads);
    /// false when the loop's host runs everything on one thread anyway (simulations).
    /// </summary>
    protected abstract bool HandsOffResults { get; }

    /// <summary>
    /// Enters the loop on this thread if it is idle with nothing queued (the datagram fast path); pair with
    /// <see cref="Exit"/>. False when the loop is busy or has work waiting: post instead, to keep the order.
    /// </summary>
    public abstract bool TryEnter();

    /// <summary>Runs what was posted during the turn (bounded) and leaves the loop.</summary>
    public abstract void Exit();

    public override SynchronizationContext CreateCopy() => this;

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("The node's loop never blocks a thread on another: post to it instead.");

    /// <summary>
    /// Starts <paramref name="operation"/> on the loop (at once when it is idle, or when called on the loop) and
    /// returns its outcome as a task whose continuations never run on the loop's thread (on real threads).
    /// </summary>
    public Task<T> InvokeAsync<T>(Func<Task<T>> operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var call = new LoopCall<T>(operation, HandsOffResults);
        if (IsOnLoop)
        {
            call.Start();
        }
        else if (TryEnter())
        {
            try
            {
                call.Start();
            }
            finally
            {
                Exit();
            }
        }
        else
        {
            Post(static s => ((LoopCall<T>)s!).Start(), call);
        }

        return call.Task;
    }

    /// <summary>Runs <paramref name="action"/> on the loop and returns its result (see <see cref="InvokeAsync{T}(Func{Task{T}})"/>).</summary>
    public Task<T> CallAsync<T>(Func<T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return InvokeAsync(() => Task.FromResult(action()));
    }

    /// <summary>
    /// Completes <paramref name="completion"/> with <paramref name="result"/> after the current piece of work,
    /// so that its continuations never run inside the caller's frame.
    /// </summary>
    public void CompleteLater<T>(TaskCompletionSource<T> completion, T result)
    {
        ArgumentNullException.ThrowIfNull(completion);
        Post(static s =>
        {
            var (c, r) = ((TaskCompletionSource<T>, T))s!;
            c.TrySetResult(r);
        }, (completion, result));
    }

    /// <summary>Cancels <paramref name="completion"/> after the current piece of work (see <see cref="CompleteLater{T}"/>).</summary>
    public void CancelLater<T>(TaskCompletionSource<T> completion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completion);
        Post(static s =>
        {
            var (c, token) = ((TaskCompletionSource<T>, CancellationToken))s!;
            c.TrySetCanceled(token);
        }, (completion, cancellationToken));
    }

    /// <summary>Marks this thread as running the loop, with the loop as its SynchronizationContext.</summary>
    protected void BeginTurn()
    {
        _outer = Current;
        SetSynchronizationContext(this);
        Volatile.Write(ref _ownerThread, Environment.CurrentManagedThreadId);
    }

    /// <summary>Gives the thread back its own SynchronizationContext.</summary>
    protected void EndTurn()
    {
        Volatile.Write(ref _ownerThread, 0);
        SetSynchronizationContext(_outer);
        _outer = null;
    }

    /// <summary>Runs one piece of posted work; what it throws is reported, and the loop goes on.</summary>
    protected void Run(SendOrPostCallback callback, object? state)
    {
        try
        {
            callback(state);
        }
#pragma warning disable CA1031 // One failed piece of work must not stop the node: it is logged and counted.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _onFault(e);
        }
    }
}
