using Dht.Simulation.Scenarios;
using Xunit.Abstractions;

namespace Dht.Tests.Simulation;

/// <summary>Prints a scenario's report to the test output and fails, with the seed, on a missed target.</summary>
internal static class ScenarioAssert
{
    public static void Passes(ITestOutputHelper output, ScenarioReport report)
    {
        output.WriteLine(report.ToText());
        output.WriteLine(report.HostText());
        var failed = report.Checks.Where(c => !c.Passed).Select(c => $"{c.Name}: {c.Value} (target {c.Target})").ToList();
        Assert.True(failed.Count == 0, $"{report.Scenario} missed targets (seed {report.Settings.Seed}): {string.Join("; ", failed)}");
    }
}
