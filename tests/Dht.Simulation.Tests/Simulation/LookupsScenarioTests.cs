using Dht.Simulation.Scenarios;
using Xunit.Abstractions;

namespace Dht.Tests.Simulation;

/// <summary>The 1,000-node version of the lookups scenario (docs/SCALE.md), asserting its targets.</summary>
public sealed class LookupsScenarioTests(ITestOutputHelper output)
{
    [Fact]
    public void ThousandNodes_LookupsFindTheTrueKClosest_AndRoundsGrowSlowly()
    {
        var settings = new ScenarioSettings { Nodes = 1000, Seed = 7, Lookups = 200, MeasureMemory = false };
        ScenarioAssert.Passes(output, ScenarioRunner.Run(ScenarioRunner.Lookups, settings));
    }
}
