using System.Text;
using System.Text.Json;
using Dht.Simulation.Scenarios;

namespace Dht.Tests.Simulation;

public sealed class ScenarioDeterminismTests
{
    [Fact]
    public void SameSeed_PrintsTheSameTableJsonAndCharts_DifferentSeedDifferentOnes()
    {
        static string Run(int seed)
        {
            var settings = new ScenarioSettings { Nodes = 200, Seed = seed, Lookups = 100, MeasureMemory = false };
            var report = ScenarioRunner.Run(ScenarioRunner.Lookups, settings);
            report.Host.Clear();
            var json = new MemoryStream();
            using (var writer = new Utf8JsonWriter(json))
            {
                report.WriteJson(writer);
            }

            return report.ToText() + Encoding.UTF8.GetString(json.ToArray()) + string.Concat(report.Charts.Select(c => c.ToSvg()));
        }

        string first = Run(5);
        Assert.Equal(first, Run(5));
        Assert.NotEqual(first, Run(6));
    }

    [Fact]
    public void Percentiles_AreNearestRank()
    {
        double[] sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        Assert.Equal(5, Percentiles.Of(sorted, 50));
        Assert.Equal(9, Percentiles.Of(sorted, 90));
        Assert.Equal(10, Percentiles.Of(sorted, 99));
        Assert.Equal(0, Percentiles.Of([], 50));
    }
}
