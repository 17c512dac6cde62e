using Dht.Rpc;

namespace Dht.Tests.Rpc;

public sealed class RoundTripEstimateTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void FirstSample_SetsTheSmoothedRoundTripAndHalfOfItAsTheVariation()
    {
        var estimate = default(RoundTripEstimate);
        Assert.False(estimate.IsMeasured);

        estimate.Add(Ms(100));

        Assert.True(estimate.IsMeasured);
        Assert.Equal(Ms(100), estimate.Smoothed);
        Assert.Equal(Ms(50), estimate.Variation);
        Assert.Equal(Ms(300), estimate.Timeout(Ms(10))); // SRTT + 4 RTTVAR
    }

    [Fact]
    public void LaterSamples_FollowRfc6298WithGainsOfAnEighthAndAQuarter()
    {
        var estimate = default(RoundTripEstimate);
        estimate.Add(Ms(100));

        estimate.Add(Ms(180));

        // RTTVAR = 3/4 * 50 + 1/4 * |100 - 180| = 57.5; SRTT = 7/8 * 100 + 1/8 * 180 = 110.
        Assert.Equal(Ms(57.5), estimate.Variation);
        Assert.Equal(Ms(110), estimate.Smoothed);
        Assert.Equal(2, estimate.Samples);
    }

    [Fact]
    public void SteadySamples_ShrinkTheVariationUntilTheMarginFloorHolds()
    {
        var estimate = default(RoundTripEstimate);
        for (int i = 0; i < 100; i++)
        {
            estimate.Add(Ms(40));
        }

        Assert.Equal(Ms(40), estimate.Smoothed);
        Assert.True(estimate.Variation < Ms(0.01));
        Assert.Equal(Ms(90), estimate.Timeout(Ms(50)));
    }
}
