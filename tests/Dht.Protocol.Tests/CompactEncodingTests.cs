using System.Net;

namespace Dht.Protocol.Tests;

public sealed class CompactEncodingTests
{
    private static readonly NodeId SampleId = new("abcdefghij0123456789"u8);

    [Fact]
    public void WritePeer_IPv4_IsSixBytesInNetworkOrder()
    {
        var endPoint = NetEndPoint.FromIPEndPoint(IPEndPoint.Parse("1.2.3.4:6881"));
        byte[] buffer = new byte[CompactEncoding.PeerV6Size];

        int written = CompactEncoding.WritePeer(endPoint, buffer);

        Assert.Equal(CompactEncoding.PeerV4Size, written);
        Assert.Equal(6, CompactEncoding.PeerSize(endPoint));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 0x1A, 0xE1 }, buffer[..written]);
        Assert.True(CompactEncoding.TryReadPeer(buffer.AsSpan(0, written), out var read));
        Assert.Equal(endPoint, read);
    }

    [Fact]
    public void WritePeer_IPv6_IsEighteenBytesInNetworkOrder()
    {
        var endPoint = NetEndPoint.FromIPEndPoint(IPEndPoint.Parse("[2001:db8::1]:6881"));
        byte[] buffer = new byte[CompactEncoding.PeerV6Size];

        int written = CompactEncoding.WritePeer(endPoint, buffer);

        Assert.Equal(CompactEncoding.PeerV6Size, written);
        Assert.Equal(18, CompactEncoding.PeerSize(endPoint));
        Assert.Equal(Convert.FromHexString("20010db80000000000000000000000011ae1"), buffer);
        Assert.True(CompactEncoding.TryReadPeer(buffer, out var read));
        Assert.Equal(endPoint, read);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(19)]
    [InlineData(26)]
    public void TryReadPeer_WhenLengthIsNotSixOrEighteen_Fails(int length)
    {
        Assert.False(CompactEncoding.TryReadPeer(new byte[length], out var endPoint));
        Assert.Equal(default, endPoint);
    }

    [Fact]
    public void WriteNode_IPv4_IsTwentySixBytes()
    {
        var node = new NodeInfo(SampleId, NetEndPoint.FromIPEndPoint(IPEndPoint.Parse("10.0.0.1:6881")));
        byte[] buffer = new byte[CompactEncoding.NodeV6Size];

        int written = CompactEncoding.WriteNode(node, buffer);

        Assert.Equal(26, written);
        Assert.Equal("abcdefghij0123456789"u8.ToArray(), buffer[..20]);
        Assert.Equal(new byte[] { 10, 0, 0, 1, 0x1A, 0xE1 }, buffer[20..26]);
        Assert.True(CompactEncoding.TryReadNode(buffer.AsSpan(0, written), out var read));
        Assert.Equal(node, read);
    }

    [Fact]
    public void WriteNode_IPv6_IsThirtyEightBytes()
    {
        var node = new NodeInfo(SampleId, NetEndPoint.FromIPEndPoint(IPEndPoint.Parse("[2001:db8::1]:6881")));
        byte[] buffer = new byte[CompactEncoding.NodeV6Size];

        int written = CompactEncoding.WriteNode(node, buffer);

        Assert.Equal(38, written);
        Assert.True(CompactEncoding.TryReadNode(buffer, out var read));
        Assert.Equal(node, read);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    [InlineData(25)]
    [InlineData(27)]
    [InlineData(37)]
    [InlineData(39)]
    [InlineData(52)]
    public void TryReadNode_WhenLengthIsNotTwentySixOrThirtyEight_Fails(int length)
    {
        Assert.False(CompactEncoding.TryReadNode(new byte[length], out var node));
        Assert.Equal(default, node);
    }

    [Fact]
    public void TryReadNodes_RoundTripsManyNodes()
    {
        const int seed = 301;
        var random = new Random(seed);
        var nodes = new List<NodeInfo>();
        for (int i = 0; i < 16; i++)
        {
            nodes.Add(new NodeInfo(
                NodeId.CreateRandom(random),
                NetEndPoint.FromIPv4((uint)random.Next(1, int.MaxValue), (ushort)random.Next(1, 65536))));
        }

        byte[] buffer = new byte[nodes.Count * CompactEncoding.NodeV4Size];
        for (int i = 0; i < nodes.Count; i++)
        {
            CompactEncoding.WriteNode(nodes[i], buffer.AsSpan(i * CompactEncoding.NodeV4Size));
        }

        var read = new List<NodeInfo>();
        Assert.True(CompactEncoding.TryReadNodes(buffer, ipv6: false, read), $"seed {seed}");
        Assert.Equal(nodes, read);
    }

    [Fact]
    public void TryReadNodes_SkipsPortZeroAndUnspecifiedAddresses()
    {
        var good = new NodeInfo(SampleId, NetEndPoint.FromIPv4(0x01020304, 6881));
        var portZero = new NodeInfo(SampleId, NetEndPoint.FromIPv4(0x01020304, 0));
        var anyAddress = new NodeInfo(SampleId, NetEndPoint.FromIPv4(0, 6881));
        byte[] buffer = new byte[3 * CompactEncoding.NodeV4Size];
        CompactEncoding.WriteNode(portZero, buffer);
        CompactEncoding.WriteNode(good, buffer.AsSpan(26));
        CompactEncoding.WriteNode(anyAddress, buffer.AsSpan(52));

        var read = new List<NodeInfo>();
        Assert.True(CompactEncoding.TryReadNodes(buffer, ipv6: false, read));

        Assert.Equal([good], read);
    }

    [Fact]
    public void TryReadNodes_IPv6_ReadsThirtyEightByteEntries()
    {
        var node = new NodeInfo(SampleId, NetEndPoint.FromIPEndPoint(IPEndPoint.Parse("[2001:db8::1]:6881")));
        byte[] buffer = new byte[2 * CompactEncoding.NodeV6Size];
        CompactEncoding.WriteNode(node, buffer);
        CompactEncoding.WriteNode(node, buffer.AsSpan(38));

        var read = new List<NodeInfo>();
        Assert.True(CompactEncoding.TryReadNodes(buffer, ipv6: true, read));

        Assert.Equal([node, node], read);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(25, false)]
    [InlineData(27, false)]
    [InlineData(38, false)]
    [InlineData(53, false)]
    [InlineData(26, true)]
    [InlineData(37, true)]
    [InlineData(39, true)]
    public void TryReadNodes_WhenLengthIsNotAMultipleOfTheEntrySize_FailsAndAddsNothing(int length, bool ipv6)
    {
        byte[] buffer = new byte[length];
        buffer.AsSpan().Fill(1);
        var read = new List<NodeInfo>();

        Assert.False(CompactEncoding.TryReadNodes(buffer, ipv6, read));
        Assert.Empty(read);
    }

    [Fact]
    public void TryReadNodes_WhenEmpty_SucceedsWithNothing()
    {
        var read = new List<NodeInfo>();

        Assert.True(CompactEncoding.TryReadNodes(ReadOnlySpan<byte>.Empty, ipv6: false, read));
        Assert.Empty(read);
    }
}
