using Dht.Simulation;

namespace Dht.Tests.Testing;

/// <summary>Virtual time and the clock's timers: due order, changes, cancellation, periods.</summary>
public sealed class SimulationClockTests
{
    private static readonly TimeSpan Infinite = Timeout.InfiniteTimeSpan;

    [Fact]
    public void NewClock_StartsAtDefaultOrGivenTime_InUtc()
    {
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new SimulationClock().GetUtcNow());
        var start = new DateTimeOffset(2030, 5, 6, 7, 8, 9, TimeSpan.FromHours(2));
        var clock = new SimulationClock(start);
        Assert.Equal(start, clock.GetUtcNow());
        Assert.Equal(TimeSpan.Zero, clock.GetUtcNow().Offset);
        Assert.Same(TimeZoneInfo.Utc, clock.LocalTimeZone);
    }

    [Fact]
    public void Timestamps_FollowVirtualTime()
    {
        var clock = new SimulationClock();
        long before = clock.GetTimestamp();
        clock.Advance(TimeSpan.FromMilliseconds(1234));
        Assert.Equal(TimeSpan.FromMilliseconds(1234), clock.GetElapsedTime(before));
        Assert.Equal(TimeSpan.TicksPerSecond, clock.TimestampFrequency);
    }

    [Fact]
    public void Timers_FireInDueOrder_AndFifoOnTies()
    {
        var clock = new SimulationClock();
        var fired = new List<string>();
        using var late = clock.CreateTimer(_ => fired.Add("late"), null, TimeSpan.FromSeconds(3), Infinite);
        using var tieA = clock.CreateTimer(_ => fired.Add("tieA"), null, TimeSpan.FromSeconds(2), Infinite);
        clock.Schedule(TimeSpan.FromSeconds(2), () => fired.Add("tieB"));
        using var tieC = clock.CreateTimer(_ => fired.Add("tieC"), null, TimeSpan.FromSeconds(2), Infinite);
        using var early = clock.CreateTimer(_ => fired.Add("early"), null, TimeSpan.FromSeconds(1), Infinite);

        clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(["early", "tieA", "tieB", "tieC", "late"], fired);
        Assert.Equal(5, clock.EventsProcessed);
    }

    [Fact]
    public void Callback_SeesItsOwnDueTime()
    {
        var clock = new SimulationClock();
        var start = clock.GetUtcNow();
        var seen = new List<TimeSpan>();
        clock.Schedule(TimeSpan.FromMilliseconds(250), () => seen.Add(clock.GetUtcNow() - start));
        using var timer = clock.CreateTimer(_ => seen.Add(clock.GetUtcNow() - start), null, TimeSpan.FromSeconds(2), Infinite);

        clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal([TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2)], seen);
        Assert.Equal(start + TimeSpan.FromSeconds(5), clock.GetUtcNow());
    }

    [Fact]
    public void ScheduleAtCurrentTime_WhileRunning_GoesAfterEventsAlreadyDue()
    {
        var clock = new SimulationClock();
        var order = new List<int>();
        clock.Schedule(TimeSpan.FromSeconds(1), () =>
        {
            order.Add(1);
            clock.Schedule(TimeSpan.Zero, () => order.Add(3));
        });
        clock.Schedule(TimeSpan.FromSeconds(1), () => order.Add(2));

        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal([1, 2, 3], order);
    }

    [Fact]
    public void ScheduleWithState_PassesTheState()
    {
        var clock = new SimulationClock();
        var received = new List<string>();
        clock.Schedule(TimeSpan.FromSeconds(1), static (List<string> list) => list.Add("done"), received);
        clock.Schedule(TimeSpan.FromSeconds(2), static ((List<string> List, int N) s) => s.List.Add($"n={s.N}"), (received, 7));

        clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(["done", "n=7"], received);
    }

    [Fact]
    public void Change_MovesTheDueTimeLaterOrEarlier()
    {
        var clock = new SimulationClock();
        var start = clock.GetUtcNow();
        var firedAt = new List<TimeSpan>();
        using var timer = clock.CreateTimer(_ => firedAt.Add(clock.GetUtcNow() - start), null, TimeSpan.FromSeconds(5), Infinite);

        timer.Change(TimeSpan.FromSeconds(10), Infinite);
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Empty(firedAt);

        timer.Change(TimeSpan.FromSeconds(30), Infinite); // due at 39 s
        timer.Change(TimeSpan.FromSeconds(2), Infinite); // due at 11 s
        clock.Advance(TimeSpan.FromSeconds(60));

        Assert.Equal([TimeSpan.FromSeconds(11)], firedAt);
    }

    [Fact]
    public void Change_ToLaterTime_KeepsFifoOrderOfTheChangeCall()
    {
        var clock = new SimulationClock();
        var order = new List<string>();
        using var timer = clock.CreateTimer(_ => order.Add("timer"), null, TimeSpan.FromSeconds(1), Infinite);
        clock.Schedule(TimeSpan.FromSeconds(5), () => order.Add("before"));
        timer.Change(TimeSpan.FromSeconds(5), Infinite);
        clock.Schedule(TimeSpan.FromSeconds(5), () => order.Add("after"));

        clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(["before", "timer", "after"], order);
    }

    [Fact]
    public void DisposeOrInfiniteChange_CancelsTheTimer()
    {
        var clock = new SimulationClock();
        int disposedFired = 0, disarmedFired = 0;
        var disposed = clock.CreateTimer(_ => disposedFired++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        using var disarmed = clock.CreateTimer(_ => disarmedFired++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        disposed.Dispose();
        disarmed.Change(Infinite, Infinite);
        clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(0, disposedFired);
        Assert.Equal(0, disarmedFired);
        Assert.False(disposed.Change(TimeSpan.Zero, Infinite));
        Assert.Equal(0, clock.PendingEvents);
    }

    [Fact]
    public void CreateTimer_WithInfiniteDueTime_StaysDisarmedUntilChanged()
    {
        var clock = new SimulationClock();
        int fired = 0;
        using var timer = clock.CreateTimer(_ => fired++, null, Infinite, Infinite);
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, fired);

        Assert.True(timer.Change(TimeSpan.FromSeconds(1), Infinite));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, fired);
    }

    [Fact]
    public void PeriodicTimer_FiresEveryPeriodAfterItsDueTime()
    {
        var clock = new SimulationClock();
        var start = clock.GetUtcNow();
        var firedAt = new List<double>();
        using var timer = clock.CreateTimer(
            _ => firedAt.Add((clock.GetUtcNow() - start).TotalSeconds), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

        clock.Advance(TimeSpan.FromSeconds(8));

        Assert.Equal([1.0, 3.0, 5.0, 7.0], firedAt);
    }

    [Fact]
    public void ChangeInsideCallback_OverridesThePeriod()
    {
        var clock = new SimulationClock();
        var start = clock.GetUtcNow();
        var firedAt = new List<double>();
        ITimer? timer = null;
        timer = clock.CreateTimer(
            _ =>
            {
                firedAt.Add((clock.GetUtcNow() - start).TotalSeconds);
                if (firedAt.Count == 2)
                {
                    timer!.Change(TimeSpan.FromSeconds(10), Infinite);
                }
            },
            null,
            TimeSpan.FromSeconds(1),
            TimeSpan.FromSeconds(1));

        clock.Advance(TimeSpan.FromSeconds(30));
        timer.Dispose();

        Assert.Equal([1.0, 2.0, 12.0], firedAt);
    }

    [Fact]
    public void RepeatedChanges_DoNotGrowTheQueue()
    {
        var clock = new SimulationClock();
        int fired = 0;
        var timers = Enumerable.Range(0, 10)
            .Select(_ => clock.CreateTimer(_ => fired++, null, TimeSpan.FromMinutes(10), Infinite))
            .ToList();

        for (int round = 0; round < 10_000; round++)
        {
            foreach (var timer in timers)
            {
                // Alternating later and earlier: the earlier move leaves a stale entry each time.
                timer.Change(TimeSpan.FromMinutes(round % 2 == 0 ? 20 : 5), Infinite);
            }
        }

        Assert.True(clock.QueueLength < 3000, $"queue holds {clock.QueueLength} entries");
        Assert.Equal(10, clock.PendingEvents);

        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(10, fired);
        Assert.Equal(0, clock.PendingEvents);
        Assert.Equal(0, clock.QueueLength);
    }

    [Fact]
    public void RandomChanges_FireInTheOrderOfANaiveModel()
    {
        const int Seed = 20260101;
        const int TimerCount = 50;
        var random = new Random(Seed);
        var clock = new SimulationClock();
        var start = clock.GetUtcNow();
        var fired = new List<(int Timer, long Ms)>();
        var expected = new List<(int Timer, long Ms)>();
        var model = new (long DueMs, long Order)?[TimerCount];
        long order = 0;
        long nowMs = 0;
        var timers = new ITimer[TimerCount];
        for (int i = 0; i < TimerCount; i++)
        {
            int id = i;
            timers[i] = clock.CreateTimer(_ => fired.Add((id, (long)(clock.GetUtcNow() - start).TotalMilliseconds)), null, Infinite, Infinite);
        }

        for (int step = 0; step < 20_000; step++)
        {
            int id = random.Next(TimerCount);
            switch (random.Next(10))
            {
                case < 6:
                    long delayMs = random.Next(0, 50);
                    timers[id].Change(TimeSpan.FromMilliseconds(delayMs), Infinite);
                    model[id] = (nowMs + delayMs, order++);
                    break;
                case < 8:
                    timers[id].Change(Infinite, Infinite);
                    model[id] = null;
                    break;
                default:
                    long advanceMs = random.Next(0, 20);
                    clock.Advance(TimeSpan.FromMilliseconds(advanceMs));
                    nowMs += advanceMs;
                    while (true)
                    {
                        int next = -1;
                        for (int t = 0; t < TimerCount; t++)
                        {
                            if (model[t] is { } m && m.DueMs <= nowMs &&
                                (next < 0 || (m.DueMs, m.Order).CompareTo((model[next]!.Value.DueMs, model[next]!.Value.Order)) < 0))
                            {
                                next = t;
                            }
                        }

                        if (next < 0)
                        {
                            break;
                        }

                        expected.Add((next, model[next]!.Value.DueMs));
                        model[next] = null;
                    }

                    break;
            }
        }

        Assert.True(expected.Count > 1000, $"seed {Seed}: only {expected.Count} firings");
        Assert.Equal(expected, fired);
    }
}
