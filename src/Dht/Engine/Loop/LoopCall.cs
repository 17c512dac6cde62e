namespace Dht.Engine.Loop;

/// <summary>
/// One application call started on the loop: runs the operation and forwards its outcome (result, fault or
/// cancellation) to a task that may be handed to code outside the engine.
/// </summary>
internal sealed class LoopCall<T>
{
    private readonly Func<Task<T>> _operation;
    private readonly TaskCompletionSource<T> _completion;

    public LoopCall(Func<Task<T>> operation, bool runContinuationsAsynchronously)
    {
        _operation = operation;
        _completion = new TaskCompletionSource<T>(
            runContinuationsAsynchronously ? TaskCreationOptions.RunContinuationsAsynchronously : TaskCreationOptions.None);
    }

    public Task<T> Task => _completion.Task;

    /// <summary>Called on the loop.</summary>
    public void Start()
    {
        Task<T> running;
        try
        {
            running = _operation();
        }
        catch (OperationCanceledException e)
        {
            _completion.TrySetCanceled(e.CancellationToken);
            return;
        }
#pragma warning disable CA1031 // Not swallowed: the caller's task carries it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _completion.TrySetException(e);
            return;
        }

        if (running.IsCompleted)
        {
            Forward(running);
            return;
        }

        running.ContinueWith(
            static (t, s) => ((LoopCall<T>)s!).Forward(t),
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void Forward(Task<T> finished)
    {
        if (finished.IsCanceled)
        {
            try
            {
                finished.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException e)
            {
                _completion.TrySetCanceled(e.CancellationToken);
            }

            return;
        }

        if (finished.IsFaulted)
        {
            _completion.TrySetException(finished.Exception!.InnerExceptions);
            return;
        }

        _completion.TrySetResult(finished.Result);
    }
}
