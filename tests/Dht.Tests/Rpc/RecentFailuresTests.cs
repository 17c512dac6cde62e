using Dht.Protocol;
using Dht.Rpc;

namespace Dht.Tests.Rpc;

public sealed class RecentFailuresTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static NodeInfo Node(int n, ushort port = 6881) =>
        new(NodeId.FromKey($"node {n}"), NetEndPoint.FromIPv4(0x0A000000u + (uint)n, port));

    private static RecentFailures Create(int capacity = 4) => new(capacity, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(15));

    [Fact]
    public void Failed_AvoidsTheNodeUntilItsRetryTime()
    {
        var failures = Create();

        failures.Failed(Node(1), T0);

        Assert.True(failures.IsAvoided(Node(1), T0.AddSeconds(59)));
        Assert.False(failures.IsAvoided(Node(1), T0.AddMinutes(1)));
        Assert.False(failures.IsAvoided(Node(2), T0));
    }

    [Fact]
    public void Failed_InARow_DoublesTheTimeAvoidedUpToTheMaximum()
    {
        var failures = Create();
        var now = T0;
        var expected = new[] { 1, 2, 4, 8, 15, 15 };
        foreach (int minutes in expected)
        {
            failures.Failed(Node(1), now);
            Assert.True(failures.IsAvoided(Node(1), now.AddMinutes(minutes).AddTicks(-1)), $"{minutes} min");
            Assert.False(failures.IsAvoided(Node(1), now.AddMinutes(minutes)), $"{minutes} min");
            now = now.AddMinutes(minutes); // fails again as soon as it is asked again
        }

        Assert.Equal(6, failures.FailuresOf(Node(1)));
    }

    [Fact]
    public void Failed_LongAfterTheLastExpiry_StartsCountingAgain()
    {
        var failures = Create();
        failures.Failed(Node(1), T0);
        failures.Failed(Node(1), T0.AddMinutes(1));

        failures.Failed(Node(1), T0.AddHours(1));

        Assert.Equal(1, failures.FailuresOf(Node(1)));
        Assert.False(failures.IsAvoided(Node(1), T0.AddHours(1).AddMinutes(1)));
    }

    [Fact]
    public void Answered_ForgetsTheNode()
    {
        var failures = Create();
        failures.Failed(Node(1), T0);

        failures.Answered(Node(1));

        Assert.False(failures.IsAvoided(Node(1), T0));
        Assert.Equal(0, failures.FailuresOf(Node(1)));
        Assert.Equal(0, failures.Count);
    }

    [Fact]
    public void AFailureAtOneAddress_DoesNotCountAgainstTheSameIdElsewhere()
    {
        var failures = Create();
        failures.Failed(Node(1), T0);

        Assert.False(failures.IsAvoided(Node(1, port: 7000), T0));
        failures.Answered(Node(1, port: 7000)); // an answer from elsewhere proves nothing about the address that failed
        Assert.True(failures.IsAvoided(Node(1), T0));
    }

    [Fact]
    public void Suspect_AvoidsTheNodeUntilItsQueryIsDue_AndNeverShortensAFailure()
    {
        var failures = Create();

        failures.Suspect(Node(1), T0.AddSeconds(2));
        Assert.True(failures.IsAvoided(Node(1), T0.AddSeconds(1)));
        Assert.False(failures.IsAvoided(Node(1), T0.AddSeconds(2)));
        Assert.Equal(0, failures.FailuresOf(Node(1)));

        failures.Failed(Node(2), T0);
        failures.Suspect(Node(2), T0.AddSeconds(2));
        Assert.True(failures.IsAvoided(Node(2), T0.AddSeconds(30)));
    }

    [Fact]
    public void WhenFull_TheLeastRecentlyChangedEntryMakesRoom()
    {
        var failures = Create(capacity: 3);
        failures.Failed(Node(1), T0);
        failures.Failed(Node(2), T0);
        failures.Failed(Node(3), T0);
        failures.Failed(Node(1), T0.AddSeconds(1)); // 1 changed last now: 2 is the oldest

        failures.Failed(Node(4), T0.AddSeconds(2));

        Assert.Equal(3, failures.Count);
        Assert.False(failures.IsAvoided(Node(2), T0.AddSeconds(2)));
        Assert.True(failures.IsAvoided(Node(1), T0.AddSeconds(2)));
        Assert.True(failures.IsAvoided(Node(3), T0.AddSeconds(2)));
        Assert.True(failures.IsAvoided(Node(4), T0.AddSeconds(2)));
    }

    [Fact]
    public void WithNoCapacity_RemembersNothing()
    {
        var failures = Create(capacity: 0);

        failures.Failed(Node(1), T0);

        Assert.False(failures.IsAvoided(Node(1), T0));
    }
}
