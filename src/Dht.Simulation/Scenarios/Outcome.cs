namespace Dht.Simulation.Scenarios;

/// <summary>What one probed operation gave, and how long it took in virtual time.</summary>
/// <param name="Result">The result; default when it failed or was abandoned.</param>
/// <param name="Elapsed">Virtual time from start to completion.</param>
/// <param name="Abandoned">The asking node left before the operation finished (not counted as a failure).</param>
internal readonly record struct Outcome<T>(T? Result, TimeSpan Elapsed, bool Abandoned);
