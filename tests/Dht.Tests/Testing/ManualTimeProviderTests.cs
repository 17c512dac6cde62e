using Dht.Simulation;

namespace Dht.Tests.Testing;

public sealed class ManualTimeProviderTests
{
    [Fact]
    public void Advance_FiresDueTimersInOrder()
    {
        var time = new ManualTimeProvider();
        var fired = new List<int>();
        using var second = time.CreateTimer(_ => fired.Add(2), null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);
        using var first = time.CreateTimer(_ => fired.Add(1), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([1], fired);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([1, 2], fired);
    }

    [Fact]
    public void SetUtcNow_MovesTimeAndFiresTimersOnTheWay()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero));
        DateTimeOffset? firedAt = null;
        using var timer = time.CreateTimer(_ => firedAt = time.GetUtcNow(), null, TimeSpan.FromMinutes(1), Timeout.InfiniteTimeSpan);

        var target = new DateTimeOffset(2020, 1, 1, 1, 0, 0, TimeSpan.Zero);
        time.SetUtcNow(target);

        Assert.Equal(new DateTimeOffset(2020, 1, 1, 0, 1, 0, TimeSpan.Zero), firedAt);
        Assert.Equal(target, time.GetUtcNow());
    }

    [Fact]
    public void SetUtcNow_Backwards_Throws()
    {
        var time = new ManualTimeProvider();
        Assert.Throws<ArgumentOutOfRangeException>(() => time.SetUtcNow(time.GetUtcNow().AddSeconds(-1)));
    }
}
