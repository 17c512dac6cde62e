namespace Dht.Engine;

/// <summary>Randomness from a seeded <see cref="Random"/>, for reproducible simulations and tests.</summary>
internal sealed class SeededRandomSource(Random random) : IRandomSource
{
    public Random AsRandom { get; } = random;

    public uint NextUInt32() => (uint)AsRandom.NextInt64(0, 1L << 32);

    public int Next(int maxExclusive) => AsRandom.Next(maxExclusive);

    public double NextDouble() => AsRandom.NextDouble();

    public void NextBytes(Span<byte> buffer) => AsRandom.NextBytes(buffer);
}
