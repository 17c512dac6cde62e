using Dht.Simulation.Scenarios;
using Xunit.Abstractions;

namespace Dht.Tests.Simulation;

/// <summary>The 1,000-node version of the loss scenario (docs/SCALE.md), asserting its targets.</summary>
public sealed class LossScenarioTests(ITestOutputHelper output)
{
    [Fact]
    public void ThousandNodes_GetsSucceedWithTwentyPercentLoss()
    {
        var settings = new ScenarioSettings { Nodes = 1000, Seed = 7, Keys = 100, Gets = 200, LossRates = [0, 0.2] };
        ScenarioAssert.Passes(output, ScenarioRunner.Run(ScenarioRunner.Loss, settings));
    }
}
