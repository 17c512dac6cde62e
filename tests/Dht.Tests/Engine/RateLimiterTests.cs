using Dht.Engine;
using Dht.Protocol;

namespace Dht.Tests.Engine;

public sealed class RateLimiterTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Block = TimeSpan.FromMinutes(1);
    private static readonly NetEndPoint A = NetEndPoint.Parse("198.51.100.1:6881");
    private static readonly NetEndPoint B = NetEndPoint.Parse("198.51.100.2:6881");
    private static readonly NetEndPoint C = NetEndPoint.Parse("198.51.100.3:6881");

    private static RateLimiter Limiter(int queriesPerSecond = 10, int capacity = 100, int replyBytesPerSecond = 1000, bool limitLoopback = true) =>
        new(queriesPerSecond, Block, capacity, replyBytesPerSecond, limitLoopback);

    [Fact]
    public void Allow_ABurstOfTwoSecondsWorth_ThenBlocksTheSourceForTheBlockDuration()
    {
        var limiter = Limiter(queriesPerSecond: 10);
        for (int i = 0; i < 20; i++)
        {
            Assert.True(limiter.Allow(A, 50, Start), $"query {i}");
        }

        Assert.False(limiter.Allow(A, 50, Start));
        Assert.False(limiter.Allow(A, 50, Start + TimeSpan.FromSeconds(30)));
        Assert.True(limiter.Allow(A, 50, Start + Block + TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Allow_RefillsAtTheConfiguredRate()
    {
        var limiter = Limiter(queriesPerSecond: 10);
        for (int i = 0; i < 19; i++)
        {
            limiter.Allow(A, 50, Start);
        }

        // One token left; half a second later five more have come in.
        var later = Start + TimeSpan.FromMilliseconds(500);
        for (int i = 0; i < 6; i++)
        {
            Assert.True(limiter.Allow(A, 50, later), $"query {i}");
        }

        Assert.False(limiter.Allow(A, 50, later));
    }

    [Fact]
    public void Allow_KeysLoopbackByPort_AndOtherAddressesByAddressOnly()
    {
        var limiter = Limiter(queriesPerSecond: 1);
        Assert.True(limiter.Allow(NetEndPoint.Parse("127.0.0.1:7001"), 50, Start));
        Assert.True(limiter.Allow(NetEndPoint.Parse("127.0.0.1:7001"), 50, Start));
        Assert.False(limiter.Allow(NetEndPoint.Parse("127.0.0.1:7001"), 50, Start));
        Assert.True(limiter.Allow(NetEndPoint.Parse("127.0.0.1:7002"), 50, Start));

        Assert.True(limiter.Allow(NetEndPoint.Parse("198.51.100.9:1"), 50, Start));
        Assert.True(limiter.Allow(NetEndPoint.Parse("198.51.100.9:2"), 50, Start));
        Assert.False(limiter.Allow(NetEndPoint.Parse("198.51.100.9:3"), 50, Start));
        Assert.Equal(3, limiter.TrackedSources);
    }

    [Fact]
    public void Allow_WhenLoopbackIsNotLimited_AnswersLoopbackWithoutLimit_AndStillLimitsOthers()
    {
        var limiter = Limiter(queriesPerSecond: 1, replyBytesPerSecond: 1000, limitLoopback: false);
        var local = NetEndPoint.Parse("127.0.0.1:7001");
        for (int i = 0; i < 100; i++)
        {
            Assert.True(limiter.Allow(local, 50, Start));
            Assert.True(limiter.TrySpendReply(local, 1400, Start));
        }

        Assert.Equal(0, limiter.TrackedSources);
        Assert.True(limiter.Allow(A, 50, Start));
        Assert.True(limiter.Allow(A, 50, Start));
        Assert.False(limiter.Allow(A, 50, Start));
    }

    [Fact]
    public void Allow_WhenFull_ForgetsTheSourceSeenLeastRecently_EvenOneThatWasOnceBlocked()
    {
        // A was blocked long ago and has been silent since; B is active and has almost emptied its bucket.
        // A full table must forget A, not B: forgetting B would hand an active source a fresh burst.
        var limiter = Limiter(queriesPerSecond: 10, capacity: 2);
        for (int i = 0; i < 21; i++)
        {
            limiter.Allow(A, 50, Start);
        }

        var now = Start + TimeSpan.FromMinutes(10);
        for (int i = 0; i < 19; i++)
        {
            Assert.True(limiter.Allow(B, 50, now));
        }

        Assert.True(limiter.Allow(C, 50, now));

        Assert.True(limiter.Allow(B, 50, now));
        Assert.False(limiter.Allow(B, 50, now));
        Assert.Equal(2, limiter.TrackedSources);
    }

    [Fact]
    public void Allow_ABlockedSourceThatKeepsSending_StaysBlockedThroughAFloodOfNewSourcesBelowTheCapacity()
    {
        var limiter = Limiter(queriesPerSecond: 10, capacity: 1000);
        for (int i = 0; i < 21; i++)
        {
            limiter.Allow(A, 50, Start);
        }

        for (int i = 0; i < 5000; i++)
        {
            var now = Start + TimeSpan.FromMilliseconds(i);
            limiter.Allow(NetEndPoint.FromIPv4(0x0A000000u + (uint)i, 6881), 50, now);
            if (i % 500 == 0)
            {
                Assert.False(limiter.Allow(A, 50, now), $"after {i} new sources");
            }
        }

        Assert.Equal(1000, limiter.TrackedSources);
    }

    [Fact]
    public void TrySpendReply_AllowsThreeSecondsOfTheRatePlusWhatTheSourceSent()
    {
        var limiter = Limiter(replyBytesPerSecond: 1000);
        Assert.True(limiter.Allow(A, 100, Start));

        Assert.True(limiter.TrySpendReply(A, 2000, Start));
        Assert.True(limiter.TrySpendReply(A, 1000, Start));
        Assert.False(limiter.TrySpendReply(A, 1, Start));

        // What the source sends is credited: a symmetric exchange never runs dry.
        Assert.True(limiter.Allow(A, 300, Start));
        Assert.True(limiter.TrySpendReply(A, 300, Start));
        Assert.False(limiter.TrySpendReply(A, 1, Start));
    }

    [Fact]
    public void TrySpendReply_ThatDoesNotFit_TakesNothing_AndTheBudgetRefillsOverTime()
    {
        var limiter = Limiter(replyBytesPerSecond: 1000);
        limiter.Allow(A, 0, Start);
        Assert.True(limiter.TrySpendReply(A, 2500, Start));

        Assert.False(limiter.TrySpendReply(A, 600, Start));
        Assert.True(limiter.TrySpendReply(A, 500, Start));
        Assert.False(limiter.TrySpendReply(A, 1, Start));
        Assert.True(limiter.TrySpendReply(A, 200, Start + TimeSpan.FromMilliseconds(250)));
        Assert.False(limiter.TrySpendReply(A, 100, Start + TimeSpan.FromMilliseconds(250)));
    }

    [Fact]
    public void TrySpendReply_OneSourcesSpentBudget_LeavesOthersUntouched()
    {
        var limiter = Limiter(replyBytesPerSecond: 1000);
        limiter.Allow(A, 0, Start);
        limiter.Allow(B, 0, Start);

        Assert.True(limiter.TrySpendReply(A, 3000, Start));

        Assert.False(limiter.TrySpendReply(A, 100, Start));
        Assert.True(limiter.TrySpendReply(B, 3000, Start));
    }

    [Fact]
    public void Prune_ForgetsUnblockedSourcesIdleForTheReplyBurst_AndKeepsTheRecentOnes()
    {
        var limiter = Limiter(queriesPerSecond: 10);
        limiter.Allow(A, 50, Start);
        limiter.Allow(B, 50, Start + TimeSpan.FromSeconds(8));
        limiter.Allow(C, 50, Start + TimeSpan.FromSeconds(10));

        limiter.Prune(Start + TimeSpan.FromSeconds(11));

        Assert.Equal(1, limiter.TrackedSources);
        limiter.Prune(Start + TimeSpan.FromSeconds(10 + RateLimiter.ReplyBurstSeconds));
        Assert.Equal(0, limiter.TrackedSources);
    }

    [Fact]
    public void Allow_ForgetsSourcesIdleForTheReplyBurst_OnTheNextDatagram()
    {
        var limiter = Limiter(queriesPerSecond: 10);
        limiter.Allow(A, 50, Start);
        limiter.Allow(B, 50, Start + TimeSpan.FromSeconds(1));

        limiter.Allow(C, 50, Start + TimeSpan.FromSeconds(RateLimiter.ReplyBurstSeconds));

        Assert.Equal(2, limiter.TrackedSources);
    }

    [Fact]
    public void Prune_KeepsABlockedSourceUntilItsBlockIsOver()
    {
        var limiter = Limiter(queriesPerSecond: 10);
        for (int i = 0; i < 21; i++)
        {
            limiter.Allow(A, 50, Start);
        }

        limiter.Prune(Start + TimeSpan.FromSeconds(59));
        Assert.False(limiter.Allow(A, 50, Start + TimeSpan.FromSeconds(59)));
        limiter.Prune(Start + TimeSpan.FromSeconds(59) + Block);
        Assert.Equal(0, limiter.TrackedSources);
    }
}
