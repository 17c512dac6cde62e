using Dht.Engine.Loop;
using Dht.Simulation;

namespace Dht.Tests.Engine.Loop;

/// <summary>The node's one timer: armed for the earliest deadline, ticks on the loop, armed again after.</summary>
public sealed class NodeTimerTests
{
    private readonly SimulationClock _clock = new();
    private readonly HostedLoop _loop;
    private readonly List<(DateTimeOffset At, bool OnLoop)> _ticks = [];
    private DateTimeOffset _deadline = DateTimeOffset.MaxValue;

    public NodeTimerTests() => _loop = new HostedLoop(_clock.SynchronizationContext, e => throw e);

    private NodeTimer Timer() => new(_clock, _loop, () => _deadline, now =>
    {
        _ticks.Add((now, _loop.IsOnLoop));
        _deadline = DateTimeOffset.MaxValue;
    });

    [Fact]
    public void Arm_FiresAtTheDeadline_OnTheLoop()
    {
        using var timer = Timer();
        var start = _clock.GetUtcNow();
        _deadline = start + TimeSpan.FromSeconds(5);
        timer.Arm(start);

        _clock.RunFor(TimeSpan.FromSeconds(10));
        Assert.Equal([(start + TimeSpan.FromSeconds(5), true)], _ticks);
    }

    [Fact]
    public void AnEarlierDeadline_MovesTheTimerForward_ALaterOneDoesNot()
    {
        using var timer = Timer();
        var start = _clock.GetUtcNow();
        _deadline = start + TimeSpan.FromSeconds(5);
        timer.Arm(start);
        _deadline = start + TimeSpan.FromSeconds(2);
        timer.Arm(start);
        _deadline = start + TimeSpan.FromSeconds(3); // later than what the timer is armed for: no change
        timer.Arm(start);

        _clock.RunFor(TimeSpan.FromSeconds(10));
        Assert.Equal([start + TimeSpan.FromSeconds(2)], _ticks.Select(t => t.At));
    }

    [Fact]
    public void AfterATick_TheNextDeadlineIsArmed()
    {
        var start = _clock.GetUtcNow();
        int ticks = 0;
        using var timer = new NodeTimer(_clock, _loop, () => start + TimeSpan.FromSeconds(ticks + 1), _ => ticks++);
        timer.Arm(start);
        _clock.RunFor(TimeSpan.FromSeconds(3.5));
        Assert.Equal(3, ticks);
    }
}
