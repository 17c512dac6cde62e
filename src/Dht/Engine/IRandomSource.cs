namespace Dht.Engine;

/// <summary>
/// The engine's only source of randomness. Real nodes use the cryptographic generator (transaction ids and
/// node ids must not be predictable); simulations pass a seeded one so that a run can be replayed.
/// </summary>
internal interface IRandomSource
{
    uint NextUInt32();

    /// <summary>A value in [0, maxExclusive).</summary>
    int Next(int maxExclusive);

    double NextDouble();

    void NextBytes(Span<byte> buffer);

    /// <summary>A <see cref="Random"/> view for APIs that take one (sampling, refresh targets).</summary>
    Random AsRandom { get; }
}
