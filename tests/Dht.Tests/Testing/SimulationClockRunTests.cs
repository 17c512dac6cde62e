using Dht.Simulation;

namespace Dht.Tests.Testing;

/// <summary>The clock driving .NET's own timing (Task.Delay, CancellationTokenSource, PeriodicTimer, async methods) and the ways a run is driven and stopped.</summary>
public sealed class SimulationClockRunTests
{
    private static readonly TimeSpan Infinite = Timeout.InfiniteTimeSpan;

    [Fact]
    public void TaskDelay_CompletesOnlyWhenVirtualTimeReachesIt()
    {
        var clock = new SimulationClock();
        var delay = Task.Delay(TimeSpan.FromSeconds(5), clock);
        Assert.False(delay.IsCompleted);

        clock.Advance(TimeSpan.FromSeconds(4.999));
        Assert.False(delay.IsCompleted);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(delay.IsCompletedSuccessfully);
    }

    [Fact]
    public void TaskDelay_CancelledBeforeItsTime_IsCanceledAndLeavesNoEvent()
    {
        var clock = new SimulationClock();
        using var cts = new CancellationTokenSource();
        var delay = Task.Delay(TimeSpan.FromSeconds(5), clock, cts.Token);

        cts.Cancel();

        Assert.True(delay.IsCanceled);
        Assert.Equal(0, clock.PendingEvents);
    }

    [Fact]
    public void CancellationTokenSource_WithTheClock_CancelsAfterVirtualDelay()
    {
        var clock = new SimulationClock();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2), clock);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(cts.IsCancellationRequested);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(cts.IsCancellationRequested);
    }

    [Fact]
    public async Task SystemPeriodicTimer_WithTheClock_TicksWithVirtualTime()
    {
        var clock = new SimulationClock();
        using var periodic = new PeriodicTimer(TimeSpan.FromSeconds(1), clock);
        var tick = periodic.WaitForNextTickAsync().AsTask();
        Assert.False(tick.IsCompleted);

        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.True(tick.IsCompleted);
        Assert.True(await tick);
    }

    [Fact]
    public void AsyncMethodAwaitingDelay_ContinuesInsideTheRunOnTheSameThread()
    {
        var clock = new SimulationClock();
        var steps = new List<(string Step, int Thread, DateTimeOffset Time)>();

        async Task RunAsync()
        {
            steps.Add(("start", Environment.CurrentManagedThreadId, clock.GetUtcNow()));
            await Task.Delay(TimeSpan.FromSeconds(1), clock);
            steps.Add(("after first", Environment.CurrentManagedThreadId, clock.GetUtcNow()));
            await Task.Delay(TimeSpan.FromSeconds(2), clock);
            steps.Add(("after second", Environment.CurrentManagedThreadId, clock.GetUtcNow()));
        }

        var start = clock.GetUtcNow();
        var task = RunAsync();
        bool completed = clock.RunUntil(() => task.IsCompleted, TimeSpan.FromMinutes(1));

        Assert.True(completed);
        Assert.True(task.IsCompletedSuccessfully);
        int thread = Environment.CurrentManagedThreadId;
        Assert.Equal(
            [("start", thread, start), ("after first", thread, start.AddSeconds(1)), ("after second", thread, start.AddSeconds(3))],
            steps);
        Assert.Equal(start.AddSeconds(3), clock.GetUtcNow());
    }

    [Fact]
    public async Task Start_BringsAsynchronousContinuationsBackAsEvents()
    {
        var clock = new SimulationClock();
        var order = new List<string>();
        var threads = new HashSet<int>();
        var response = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task<int> RunAsync()
        {
            order.Add("start");
            await Task.Yield();
            threads.Add(Environment.CurrentManagedThreadId);
            order.Add("yielded");
            int value = await response.Task;
            threads.Add(Environment.CurrentManagedThreadId);
            order.Add("answered");
            await Task.Delay(TimeSpan.FromSeconds(1), clock);
            threads.Add(Environment.CurrentManagedThreadId);
            return value * 2;
        }

        var task = clock.Start(RunAsync);
        Assert.Equal(["start"], order);
        clock.Schedule(TimeSpan.FromSeconds(1), () =>
        {
            response.SetResult(21);
            order.Add("set");
        });

        Assert.True(clock.RunUntil(() => task.IsCompleted, TimeSpan.FromMinutes(1)));

        Assert.True(task.IsCompletedSuccessfully);
        Assert.Equal(42, await task);
        Assert.Equal(["start", "yielded", "set", "answered"], order);
        Assert.Equal([Environment.CurrentManagedThreadId], threads);
    }

    [Fact]
    public void RunUntilCondition_StopsAsSoonAsItHolds()
    {
        var clock = new SimulationClock();
        var start = clock.GetUtcNow();
        int count = 0;
        using var timer = clock.CreateTimer(_ => count++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        Assert.True(clock.RunUntil(() => count == 3, TimeSpan.FromMinutes(1)));
        Assert.Equal(start.AddSeconds(3), clock.GetUtcNow());
        Assert.True(clock.RunUntil(() => count == 3, TimeSpan.FromMinutes(1)));
        Assert.Equal(start.AddSeconds(3), clock.GetUtcNow());
    }

    [Fact]
    public void RunUntilCondition_ReturnsFalseAtTheLimitWhenTimeRunsOut()
    {
        var clock = new SimulationClock();
        var start = clock.GetUtcNow();
        int count = 0;
        using var timer = clock.CreateTimer(_ => count++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        Assert.False(clock.RunUntil(() => count == 100, TimeSpan.FromSeconds(10.5)));
        Assert.Equal(10, count);
        Assert.Equal(start.AddSeconds(10.5), clock.GetUtcNow());
    }

    [Fact]
    public void RunUntilIdle_RunsEverythingOrStopsAfterMaxEvents()
    {
        var clock = new SimulationClock();
        var start = clock.GetUtcNow();
        for (int i = 1; i <= 5; i++)
        {
            clock.Schedule(TimeSpan.FromHours(i), () => { });
        }

        Assert.False(clock.RunUntilIdle(maxEvents: 3));
        Assert.Equal(3, clock.EventsProcessed);
        Assert.Equal(start.AddHours(3), clock.GetUtcNow());

        Assert.True(clock.RunUntilIdle(maxEvents: 100));
        Assert.Equal(5, clock.EventsProcessed);
        Assert.Equal(start.AddHours(5), clock.GetUtcNow());
    }

    [Fact]
    public void RunUntilIdle_IgnoresCancelledTimers()
    {
        var clock = new SimulationClock();
        var start = clock.GetUtcNow();
        var timer = clock.CreateTimer(_ => { }, null, TimeSpan.FromDays(1), Infinite);
        timer.Dispose();

        Assert.True(clock.RunUntilIdle(10));
        Assert.Equal(0, clock.EventsProcessed);
        Assert.Equal(start, clock.GetUtcNow());
    }

    [Fact]
    public void RunningFromInsideAnEvent_Throws()
    {
        var clock = new SimulationClock();
        Exception? caught = null;
        clock.Schedule(TimeSpan.FromSeconds(1), () => caught = Record.Exception(() => clock.Advance(TimeSpan.FromSeconds(1))));

        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.IsType<InvalidOperationException>(caught);
    }

    [Fact]
    public void AnEventThatThrows_SurfacesFromTheRunAndLeavesTheClockUsable()
    {
        var clock = new SimulationClock();
        var start = clock.GetUtcNow();
        bool laterRan = false;
        clock.Schedule(TimeSpan.FromSeconds(1), () => throw new InvalidOperationException("boom"));
        clock.Schedule(TimeSpan.FromSeconds(2), () => laterRan = true);

        Assert.Throws<InvalidOperationException>(() => clock.Advance(TimeSpan.FromSeconds(5)));
        Assert.Equal(start.AddSeconds(1), clock.GetUtcNow());

        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.True(laterRan);
    }

    [Fact]
    public void NegativeDelaysAndBackwardTime_AreRejected()
    {
        var clock = new SimulationClock();
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.Schedule(TimeSpan.FromTicks(-1), () => { }));
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(-2), Infinite));
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.Advance(TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.RunUntil(clock.GetUtcNow().AddTicks(-1)));
    }
}
