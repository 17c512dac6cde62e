using Dht.Rpc;

namespace Dht.Tests.Rpc;

public sealed class RpcOptionsTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    private static RoundTripEstimate Measured(double ms, int samples = 50)
    {
        var estimate = default(RoundTripEstimate);
        for (int i = 0; i < samples; i++)
        {
            estimate.Add(Ms(ms));
        }

        return estimate;
    }

    [Fact]
    public void TimeoutsFor_BeforeAnyAnswer_AreTheInitialTimeoutCappedByTheCeilings()
    {
        var timeouts = RpcOptions.Default.TimeoutsFor(default, default);

        Assert.Equal(new QueryTimeouts(Ms(500), Ms(2000)), timeouts);
    }

    [Fact]
    public void TimeoutsFor_AMeasuredContact_AreItsRoundTripPlusTheMarginAndTwiceThat()
    {
        var nodeWide = Measured(300);

        var timeouts = RpcOptions.Default.TimeoutsFor(Measured(120), nodeWide);

        Assert.Equal(Ms(170), timeouts.Soft);
        Assert.Equal(Ms(500), timeouts.Hard); // 340 ms, raised to the floor
    }

    [Fact]
    public void TimeoutsFor_AContactNeverMeasured_UseTheNodeWideEstimate()
    {
        var timeouts = RpcOptions.Default.TimeoutsFor(default, Measured(280));

        Assert.Equal(new QueryTimeouts(Ms(330), Ms(660)), timeouts);
    }

    [Fact]
    public void TimeoutsFor_ASlowContact_StopAtTheCeilings()
    {
        var timeouts = RpcOptions.Default.TimeoutsFor(Measured(1500), default);

        Assert.Equal(new QueryTimeouts(Ms(500), Ms(2000)), timeouts);
    }

    [Fact]
    public void TimeoutsFor_ALoopbackContact_WaitTheMarginAndTheHardFloor()
    {
        var timeouts = RpcOptions.Default.TimeoutsFor(Measured(0.2), default);

        Assert.Equal(new QueryTimeouts(Ms(50.2), Ms(500)), timeouts);
    }

    [Fact]
    public void TimeoutsFor_WithAHardCeilingBelowTheFloor_KeepsTheCeilingAndTheSoftTimeoutUnderIt()
    {
        var options = RpcOptions.Default with { SoftCeiling = Ms(300), HardCeiling = Ms(250) };

        var timeouts = options.TimeoutsFor(Measured(400), default);

        Assert.Equal(new QueryTimeouts(Ms(250), Ms(250)), timeouts);
    }
}
