namespace Dht.Simulation.Scenarios;

/// <summary>One target of the scale report and whether this run met it.</summary>
/// <param name="Name">What is checked.</param>
/// <param name="Target">The target, as text ("≥ 99%").</param>
/// <param name="Value">What the run measured, as text.</param>
/// <param name="Passed">Whether the measurement meets the target.</param>
public sealed record ReportCheck(string Name, string Target, string Value, bool Passed);
