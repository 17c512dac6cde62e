using System.Buffers.Binary;
using Dht.Protocol;

namespace Dht.Tests.Lookups;

/// <summary>
/// Hand-made nodes for lookup tests. With the target at <see cref="NodeId.Zero"/>, node <c>n</c> is at XOR
/// distance <c>n</c>, so a test reads the expected order straight from the numbers.
/// </summary>
internal static class LookupTestNodes
{
    public static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static NodeId Id(ulong n)
    {
        Span<byte> bytes = stackalloc byte[NodeId.Size];
        BinaryPrimitives.WriteUInt64BigEndian(bytes[(NodeId.Size - 8)..], n);
        return new NodeId(bytes);
    }

    /// <summary>Node <paramref name="n"/> on an endpoint of its own (10.x.y.z:6881).</summary>
    public static NodeInfo Node(ulong n) => new(Id(n), NetEndPoint.FromIPv4(0x0A000000u | (uint)(n & 0xFFFFFF), 6881));

    public static NodeInfo[] Nodes(params ulong[] ns) => Array.ConvertAll(ns, Node);

    public static DateTimeOffset Ms(int milliseconds) => T0.AddMilliseconds(milliseconds);
}
