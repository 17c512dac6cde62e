namespace Dht.Simulation.Scenarios;

/// <summary>Runs a scenario by name: lookups, loss, partition or churn.</summary>
public static class ScenarioRunner
{
    public const string Lookups = "lookups";
    public const string Loss = "loss";
    public const string Partition = "partition";
    public const string Churn = "churn";

    public static IReadOnlyList<string> Names { get; } = [Lookups, Churn, Loss, Partition];

    /// <summary>Runs <paramref name="scenario"/>; <paramref name="progress"/> (optional) gets one line per phase.</summary>
    public static ScenarioReport Run(string scenario, ScenarioSettings settings, TextWriter? progress = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Nodes, 10);
        return scenario switch
        {
            Lookups => LookupsScenario.Run(settings, progress),
            Loss => LossScenario.Run(settings, progress),
            Partition => PartitionScenario.Run(settings, progress),
            Churn => ChurnScenario.Run(settings, progress),
            _ => throw new ArgumentException($"Unknown scenario '{scenario}'; known: {string.Join(", ", Names)}.", nameof(scenario)),
        };
    }

    internal static void AddCounters(ScenarioReport report, SimulatedDht sim)
    {
        report.Metrics.Add(("virtual_seconds", Math.Round((sim.Clock.GetUtcNow() - SimulationClock.DefaultStart).TotalSeconds, 3)));
        report.Metrics.Add(("events", sim.Clock.EventsProcessed));
        report.Metrics.Add(("datagrams_sent", sim.Network.DatagramsSent));
        report.Metrics.Add(("datagrams_dropped", sim.Network.DatagramsDropped));
    }
}
