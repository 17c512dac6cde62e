using Dht.Engine.Loop;

namespace Dht.Tests.Engine.Loop;

/// <summary>The loop of a real node: one piece of work at a time, whoever posts it.</summary>
public sealed class PooledLoopTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task PostsFromManyThreads_RunOneAtATime_EachPostersInOrder()
    {
        var faults = new List<Exception>();
        var loop = new PooledLoop(faults.Add);
        const int Threads = 4;
        const int PerThread = 20_000;
        int inside = 0;
        int overlaps = 0;
        var last = new int[Threads];
        int outOfOrder = 0;
        int done = 0;
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var posters = Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            for (int i = 1; i <= PerThread; i++)
            {
                int n = i;
                loop.Post(_ =>
                {
                    if (Interlocked.Increment(ref inside) != 1)
                    {
                        overlaps++;
                    }

                    // Plain fields, no interlocking: the loop is the only writer.
                    if (last[t] != n - 1)
                    {
                        outOfOrder++;
                    }

                    last[t] = n;
                    if (++done == Threads * PerThread)
                    {
                        finished.SetResult();
                    }

                    Interlocked.Decrement(ref inside);
                }, null);
            }
        })).ToArray();

        await Task.WhenAll(posters).WaitAsync(Limit);
        await finished.Task.WaitAsync(Limit);
        Assert.Equal(0, overlaps);
        Assert.Equal(0, outOfOrder);
        Assert.Empty(faults);
    }

    [Fact]
    public void TryEnter_WhenIdle_RunsHereWithTheLoopAsContext_AndExitRunsWhatWasPosted()
    {
        var loop = new PooledLoop(e => throw e);
        var outer = SynchronizationContext.Current;
        Assert.True(loop.TryEnter());
        bool ran = false;
        try
        {
            Assert.True(loop.IsOnLoop);
            Assert.Same(loop, SynchronizationContext.Current);
            loop.Post(_ => ran = true, null);
            Assert.False(ran); // not inside the caller's frame
        }
        finally
        {
            loop.Exit();
        }

        Assert.True(ran);
        Assert.False(loop.IsOnLoop);
        Assert.Same(outer, SynchronizationContext.Current);
    }

    [Fact]
    public async Task TryEnter_WhileAnotherThreadRunsTheLoop_Fails()
    {
        var loop = new PooledLoop(e => throw e);
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var busy = Task.Run(() => loop.Post(_ =>
        {
            entered.Set();
            release.Wait(Limit);
        }, null));
        Assert.True(entered.Wait(Limit));

        Assert.False(loop.TryEnter());
        bool ran = false;
        loop.Post(_ => ran = true, null); // queued for the thread that runs the loop
        release.Set();
        await busy.WaitAsync(Limit);
        Assert.True(ran);
    }

    [Fact]
    public async Task WorkThatThrows_IsReported_AndTheLoopGoesOn()
    {
        var faults = new List<Exception>();
        var loop = new PooledLoop(faults.Add);
        loop.Post(_ => throw new InvalidOperationException("boom"), null);
        int answer = await loop.CallAsync(() => 42).WaitAsync(Limit);
        Assert.Equal(42, answer);
        Assert.IsType<InvalidOperationException>(Assert.Single(faults));
    }

    [Fact]
    public async Task InvokeAsync_AwaitsInsideResumeOnTheLoop_AndTheResultIsHandedOffIt()
    {
        var loop = new PooledLoop(e => throw e);
        var fromElsewhere = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var call = loop.InvokeAsync(async () =>
        {
            int value = await fromElsewhere.Task.ConfigureAwait(true);
            Assert.True(loop.IsOnLoop);
            return value + 1;
        });
        _ = Task.Run(() => fromElsewhere.SetResult(1));
        Assert.Equal(2, await call.WaitAsync(Limit));

        // A continuation on the handed-back task never runs on the loop.
        bool continuationOnLoop = true;
        await loop.CallAsync(() => 0).ContinueWith(
            _ => continuationOnLoop = loop.IsOnLoop, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)
            .WaitAsync(Limit);
        Assert.False(continuationOnLoop);
    }

    [Fact]
    public async Task InvokeAsync_CarriesFaultsAndCancellation()
    {
        var loop = new PooledLoop(e => throw e);
        await Assert.ThrowsAsync<ArgumentException>(() => loop.CallAsync<int>(() => throw new ArgumentException("bad")));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var canceled = loop.InvokeAsync(() => Task.FromCanceled<int>(cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => canceled);
        Assert.True(canceled.IsCanceled);
    }

    [Fact]
    public async Task CompleteLater_RunsContinuationsAfterTheCurrentWork()
    {
        var loop = new PooledLoop(e => throw e);
        var completion = new TaskCompletionSource<int>();
        var order = new List<string>();
        var awaiting = loop.InvokeAsync(async () =>
        {
            int v = await completion.Task.ConfigureAwait(true);
            order.Add("continuation");
            return v;
        });
        await loop.CallAsync(() =>
        {
            loop.CompleteLater(completion, 7);
            order.Add("completer");
            return 0;
        }).WaitAsync(Limit);
        Assert.Equal(7, await awaiting.WaitAsync(Limit));
        Assert.Equal(["completer", "continuation"], order);
    }

    [Fact]
    public async Task ABacklogBeyondOneTurn_IsFinishedByThePool()
    {
        var loop = new PooledLoop(e => throw e);
        int ran = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        const int Count = PooledLoop.ItemsPerTurn * 4;
        Assert.True(loop.TryEnter());
        try
        {
            for (int i = 0; i < Count; i++)
            {
                loop.Post(_ =>
                {
                    if (++ran == Count)
                    {
                        all.SetResult();
                    }
                }, null);
            }
        }
        finally
        {
            loop.Exit(); // runs one turn's worth here, hands the rest to the pool
        }

        await all.Task.WaitAsync(Limit);
        Assert.Equal(Count, ran);
    }

    [Fact]
    public async Task InvokeAsync_FromInsideATurn_StartsAtOnce_SoWaitingOnItThereCannotDeadlock()
    {
        var loop = new PooledLoop(e => throw e);
        int inner = await loop.CallAsync(() => loop.CallAsync(() => 5).GetAwaiter().GetResult()).WaitAsync(Limit);
        Assert.Equal(5, inner);
    }
}
