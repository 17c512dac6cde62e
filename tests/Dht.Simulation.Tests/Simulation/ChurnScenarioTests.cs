using Dht.Simulation.Scenarios;
using Xunit.Abstractions;

namespace Dht.Tests.Simulation;

/// <summary>
/// The 1,000-node version of the churn scenario (docs/SCALE.md): one virtual hour at 50% churn per hour
/// instead of 48, then 30% of the nodes leave at once.
/// </summary>
public sealed class ChurnScenarioTests(ITestOutputHelper output)
{
    [Fact]
    public void ThousandNodes_HalfLeavingPerHour_KeysStayRetrievable_AndRecoverFromMassDeparture()
    {
        var settings = new ScenarioSettings
        {
            Nodes = 1000,
            Seed = 7,
            Keys = 100,
            Gets = 50,
            Hours = 1,
            SampleInterval = TimeSpan.FromMinutes(10),
            ChurnPerHour = 0.5,
            RecoveryWindow = TimeSpan.FromHours(1),
        };
        ScenarioAssert.Passes(output, ScenarioRunner.Run(ScenarioRunner.Churn, settings));
    }
}
