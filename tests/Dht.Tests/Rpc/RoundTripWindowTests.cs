using Dht.Rpc;

namespace Dht.Tests.Rpc;

public sealed class RoundTripWindowTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void Max_IsTheLongestOfTheSamplesHeld()
    {
        var window = new RoundTripWindow();
        Assert.Equal(TimeSpan.Zero, window.Max);

        window.Add(Ms(30));
        window.Add(Ms(250));
        window.Add(Ms(90));

        Assert.Equal(Ms(250), window.Max);
        Assert.Equal(3, window.Count);
    }

    [Fact]
    public void Max_FallsWhenTheLongestSampleLeavesTheWindow()
    {
        var window = new RoundTripWindow();
        window.Add(Ms(900));
        for (int i = 0; i < RoundTripWindow.Size - 1; i++)
        {
            window.Add(Ms(100 + i));
        }

        Assert.Equal(Ms(900), window.Max);
        window.Add(Ms(50)); // the 900 ms sample leaves

        Assert.Equal(Ms(100 + RoundTripWindow.Size - 2), window.Max);
        Assert.Equal(RoundTripWindow.Size, window.Count);
    }

    [Fact]
    public void Max_MatchesABruteForceMaximum_OverALongRandomStream()
    {
        const int seed = 99;
        var random = new Random(seed);
        var window = new RoundTripWindow();
        var all = new List<TimeSpan>();
        for (int i = 0; i < 5000; i++)
        {
            var sample = Ms(random.Next(1, 2000));
            window.Add(sample);
            all.Add(sample);
            Assert.True(all.TakeLast(RoundTripWindow.Size).Max() == window.Max, $"seed {seed}, sample {i}");
        }
    }
}
