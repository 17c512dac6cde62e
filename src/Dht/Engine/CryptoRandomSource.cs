using System.Security.Cryptography;

namespace Dht.Engine;

/// <summary>Randomness from the operating system's cryptographic generator.</summary>
internal sealed class CryptoRandomSource : IRandomSource
{
    public Random AsRandom { get; } = new CryptoRandom();

    public uint NextUInt32()
    {
        Span<byte> b = stackalloc byte[4];
        RandomNumberGenerator.Fill(b);
        return BitConverter.ToUInt32(b);
    }

    public int Next(int maxExclusive) => RandomNumberGenerator.GetInt32(maxExclusive);

    public double NextDouble() => (NextUInt32() >> 8) / (double)(1 << 24);

    public void NextBytes(Span<byte> buffer) => RandomNumberGenerator.Fill(buffer);

    /// <summary>A <see cref="Random"/> whose every draw comes from the cryptographic generator.</summary>
    private sealed class CryptoRandom : Random
    {
        public override int Next() => RandomNumberGenerator.GetInt32(int.MaxValue);

        public override int Next(int maxValue) => maxValue <= 0 ? 0 : RandomNumberGenerator.GetInt32(maxValue);

        public override int Next(int minValue, int maxValue) =>
            minValue >= maxValue ? minValue : RandomNumberGenerator.GetInt32(minValue, maxValue);

        public override void NextBytes(byte[] buffer) => RandomNumberGenerator.Fill(buffer);

        public override void NextBytes(Span<byte> buffer) => RandomNumberGenerator.Fill(buffer);

        protected override double Sample() => RandomNumberGenerator.GetInt32(int.MaxValue) / (double)int.MaxValue;
    }
}
