namespace Dht.Simulation.Scenarios;

/// <summary>What a scenario run does. Every default is the full-size version described in docs/SCALE.md.</summary>
public sealed class ScenarioSettings
{
    /// <summary>Network size (for lookups, the largest of the sizes measured).</summary>
    public int Nodes { get; init; } = 1000;

    /// <summary>Seed of every random choice: the same seed replays the same run.</summary>
    public int Seed { get; init; } = 7;

    /// <summary>Lookups measured at each network size.</summary>
    public int Lookups { get; init; } = 1000;

    /// <summary>Named values stored (loss, partition, churn).</summary>
    public int Keys { get; init; } = 200;

    /// <summary>Gets per loss rate (loss) or per sample (churn).</summary>
    public int Gets { get; init; } = 500;

    /// <summary>Packet loss rates measured by the loss scenario.</summary>
    public IReadOnlyList<double> LossRates { get; init; } = [0, 0.05, 0.2, 0.4];

    /// <summary>Share of the nodes that leave (and as many join) per virtual hour in the churn scenario.</summary>
    public double ChurnPerHour { get; init; } = 0.5;

    /// <summary>Virtual hours of churn.</summary>
    public double Hours { get; init; } = 48;

    /// <summary>Time between two samples of gets during churn.</summary>
    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Share of the nodes that leave at once after the churn phase.</summary>
    public double MassDeparture { get; init; } = 0.3;

    /// <summary>How long the churn scenario watches the network recover from the mass departure.</summary>
    public TimeSpan RecoveryWindow { get; init; } = TimeSpan.FromHours(3);

    /// <summary>How long the two halves of the partition scenario stay apart before they store their keys.</summary>
    public TimeSpan PartitionTime { get; init; } = TimeSpan.FromMinutes(20);

    /// <summary>When, after the partition heals, every key is read from both sides.</summary>
    public IReadOnlyList<TimeSpan> AfterHeal { get; init; } =
        [TimeSpan.Zero, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(70)];

    /// <summary>Whether to measure managed memory per node (a forced full collection at each size; host-dependent).</summary>
    public bool MeasureMemory { get; init; } = true;
}
