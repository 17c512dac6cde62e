using Dht.Engine.Dispatch;
using Dht.Protocol;

namespace Dht.Tests.Engine;

/// <summary>A query context for handler tests: one source, a fixed time, a token that is "good", fixed nodes.</summary>
internal sealed class FakeQueryContext : IQueryContext
{
    public static readonly byte[] GoodToken = "good"u8.ToArray();

    public NetEndPoint Source { get; set; } = NetEndPoint.FromIPv4(0x0A000009, 7000);

    public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public Random Random { get; } = new(1);

    public byte[] Nodes { get; set; } = new byte[CompactEncoding.NodeV4Size];

    public bool ValidateToken(ReadOnlySpan<byte> token) => token.SequenceEqual(GoodToken);

    public ReadOnlyMemory<byte> WriteToken() => GoodToken;

    public ReadOnlyMemory<byte> ClosestNodes(NodeId target, bool servingExtensionOnly = false) => Nodes;
}
