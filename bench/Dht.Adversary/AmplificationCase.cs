namespace Dht.Adversary;

/// <summary>
/// One query type to measure: <see cref="Prepare"/> runs first from the measuring socket when the query needs
/// something from an earlier exchange (a write token), and returns what <see cref="Query"/> needs.
/// </summary>
internal sealed record AmplificationCase(string Name, Func<Func<byte[], byte[]?>, byte[]?>? Prepare, Func<byte[]?, byte[]> Query);
