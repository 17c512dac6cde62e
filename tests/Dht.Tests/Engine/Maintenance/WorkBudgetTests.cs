using Dht.Engine.Maintenance;

namespace Dht.Tests.Engine.Maintenance;

public sealed class WorkBudgetTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void StartsFull_EmptiesAsSpent_AndRefillsEvenlyUpToItsCapacity()
    {
        var budget = new WorkBudget(60, TimeSpan.FromMinutes(1));
        Assert.Equal(60, budget.Available(T0));

        budget.Spend(60);
        Assert.Equal(0, budget.Available(T0));
        Assert.False(budget.TryTake(T0));

        Assert.Equal(10, budget.Available(T0 + TimeSpan.FromSeconds(10)));
        Assert.True(budget.TryTake(T0 + TimeSpan.FromSeconds(10)));
        Assert.Equal(9, budget.Available(T0 + TimeSpan.FromSeconds(10)));
        Assert.Equal(60, budget.Available(T0 + TimeSpan.FromHours(1)));
    }
}
