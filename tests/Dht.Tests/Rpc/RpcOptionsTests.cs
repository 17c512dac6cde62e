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

    private static RoundTripWindow Window(int samples, double maxMs)
    {
        var window = new RoundTripWindow();
        for (int i = 0; i < samples; i++)
        {
            window.Add(Ms(i == samples / 2 ? maxMs : maxMs / 2));
        }

        return window;
    }

    [Fact]
    public void TimeoutsFor_BeforeAnyAnswer_AreTheInitialTimeoutCappedByTheCeilings()
    {
        var timeouts = RpcOptions.Default.TimeoutsFor(default, null);

        Assert.Equal(new QueryTimeouts(Ms(500), Ms(2000)), timeouts);
    }

    [Fact]
    public void TimeoutsFor_AContactNeverMeasured_BeforeSixteenAnswers_AreThreeTimesTheLongestRoundTripPlusTheLargestMargin()
    {
        var timeouts = RpcOptions.Default.TimeoutsFor(default, Window(15, 100));

        Assert.Equal(new QueryTimeouts(Ms(350), Ms(700)), timeouts);
    }

    [Fact]
    public void TimeoutsFor_AfterOneAnswerFromNearby_WaitTheHardFloorNotTheInitialTwoSeconds()
    {
        var timeouts = RpcOptions.Default.TimeoutsFor(default, Window(1, 0.2));

        Assert.Equal(new QueryTimeouts(Ms(50.6), Ms(500)), timeouts);
    }

    [Fact]
    public void TimeoutsFor_AMeasuredContact_AreItsRoundTripPlusTheMarginAndTwiceThat()
    {
        var timeouts = RpcOptions.Default.TimeoutsFor(Measured(120), Window(64, 300));

        Assert.Equal(Ms(170), timeouts.Soft);
        Assert.Equal(Ms(500), timeouts.Hard); // 340 ms, raised to the floor
    }

    [Fact]
    public void TimeoutsFor_AContactNeverMeasured_AreTheLongestRecentRoundTripPlusTheMargin()
    {
        var timeouts = RpcOptions.Default.TimeoutsFor(default, Window(20, 280));

        Assert.Equal(new QueryTimeouts(Ms(330), Ms(660)), timeouts);
    }

    [Fact]
    public void TimeoutsFor_ASlowContact_StopAtTheCeilings()
    {
        var timeouts = RpcOptions.Default.TimeoutsFor(Measured(1500), null);

        Assert.Equal(new QueryTimeouts(Ms(500), Ms(2000)), timeouts);
    }

    [Fact]
    public void TimeoutsFor_ALoopbackContact_WaitTheMarginAndTheHardFloor()
    {
        var timeouts = RpcOptions.Default.TimeoutsFor(Measured(0.2), null);

        Assert.Equal(new QueryTimeouts(Ms(50.2), Ms(500)), timeouts);
    }

    [Fact]
    public void TimeoutsFor_ALoopbackContact_WhenRecentAnswersWereFast_WaitTheLongestRecentRoundTripAsMargin()
    {
        var timeouts = RpcOptions.Default.TimeoutsFor(Measured(0.2), Window(64, 12));

        Assert.Equal(new QueryTimeouts(Ms(12.2), Ms(500)), timeouts);
    }

    [Fact]
    public void TimeoutsFor_ALoopbackContact_WhenRecentAnswersWereFaster_WaitAtLeastTheLeastMargin()
    {
        var timeouts = RpcOptions.Default.TimeoutsFor(Measured(0.2), Window(64, 0.3));

        Assert.Equal(new QueryTimeouts(Ms(5.2), Ms(500)), timeouts);
    }

    [Fact]
    public void TimeoutsFor_AContactNeverMeasured_WhenRecentAnswersWereFast_AreTwiceTheLongestRecentRoundTrip()
    {
        var timeouts = RpcOptions.Default.TimeoutsFor(default, Window(64, 8));

        Assert.Equal(new QueryTimeouts(Ms(16), Ms(500)), timeouts);
    }

    [Fact]
    public void TimeoutsFor_AContactWhoseRoundTripsVary_KeepFourTimesTheVariationAboveAFastMargin()
    {
        var estimate = default(RoundTripEstimate);
        estimate.Add(Ms(10)); // the first sample sets RTTVAR to half of it: 5 ms, so 4 RTTVAR = 20 ms

        var timeouts = RpcOptions.Default.TimeoutsFor(estimate, Window(64, 2));

        Assert.Equal(Ms(30), timeouts.Soft);
    }

    [Fact]
    public void TimeoutsFor_WithAHardCeilingBelowTheFloor_KeepsTheCeilingAndTheSoftTimeoutUnderIt()
    {
        var options = RpcOptions.Default with { SoftCeiling = Ms(300), HardCeiling = Ms(250) };

        var timeouts = options.TimeoutsFor(Measured(400), null);

        Assert.Equal(new QueryTimeouts(Ms(250), Ms(250)), timeouts);
    }
}
