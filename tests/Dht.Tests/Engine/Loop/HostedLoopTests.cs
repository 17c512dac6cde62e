using Dht.Engine.Loop;
using Dht.Simulation;

namespace Dht.Tests.Engine.Loop;

/// <summary>The loop of a simulated node: drained by the simulation clock, on the simulation's thread.</summary>
public sealed class HostedLoopTests
{
    [Fact]
    public void PostFromOutside_IsAnEventOfTheClock_RunWithTheLoopAsContext()
    {
        var clock = new SimulationClock();
        var loop = new HostedLoop(clock.SynchronizationContext, e => throw e);
        SynchronizationContext? seen = null;
        loop.Post(_ => seen = SynchronizationContext.Current, null);
        Assert.Null(seen);
        Assert.Equal(1, clock.PendingEvents);

        clock.RunUntilIdle();
        Assert.Same(loop, seen);
    }

    [Fact]
    public void PostFromInsideATurn_RunsAtTheEndOfThatTurn()
    {
        var clock = new SimulationClock();
        var loop = new HostedLoop(clock.SynchronizationContext, e => throw e);
        var order = new List<int>();
        Assert.True(loop.TryEnter());
        try
        {
            loop.Post(_ => order.Add(2), null);
            order.Add(1);
            Assert.False(loop.TryEnter()); // no nested turns
        }
        finally
        {
            loop.Exit();
        }

        Assert.Equal([1, 2], order);
        Assert.Equal(0, clock.PendingEvents);
    }

    [Fact]
    public async Task InvokeAsync_OutsideATurn_RunsAtOnce_AndAwaitsComeBackThroughTheClock()
    {
        var clock = new SimulationClock();
        var loop = new HostedLoop(clock.SynchronizationContext, e => throw e);
        var later = new TaskCompletionSource<int>();
        var call = loop.InvokeAsync(async () =>
        {
            int v = await later.Task.ConfigureAwait(true);
            Assert.True(loop.IsOnLoop);
            return v * 2;
        });
        Assert.False(call.IsCompleted);

        later.SetResult(21); // from outside the loop: the continuation is posted, an event of the clock
        Assert.False(call.IsCompleted);
        clock.RunUntilIdle();
        Assert.True(call.IsCompletedSuccessfully);
        Assert.Equal(42, await call);
    }
}
