using System.Net;
using System.Net.Sockets;
using Dht.Protocol;
using Dht.Transport;

namespace Dht.Tests.Transport;

public sealed class SocketAddressConverterTests
{
    [Theory]
    [InlineData("203.0.113.7:6881")]
    [InlineData("127.0.0.1:1")]
    [InlineData("255.255.255.255:65535")]
    [InlineData("[2001:db8::1]:6881")]
    [InlineData("[::1]:65535")]
    public void TryRead_OfWhatTheRuntimeSerializes_MatchesTheEndPoint(string text)
    {
        var ip = IPEndPoint.Parse(text);

        Assert.True(SocketAddressConverter.TryRead(ip.Serialize(), out var endPoint));

        Assert.Equal(NetEndPoint.FromIPEndPoint(ip), endPoint);
    }

    [Theory]
    [InlineData("203.0.113.7:6881")]
    [InlineData("[2001:db8::1]:6881")]
    public void Write_ThenRuntimeParse_GivesTheSameEndPoint(string text)
    {
        var expected = IPEndPoint.Parse(text);
        var address = SocketAddressConverter.Create(NetEndPoint.FromIPEndPoint(expected));

        var parsed = (IPEndPoint)expected.Create(address);

        Assert.Equal(expected, parsed);
    }

    [Fact]
    public void Write_OverAPreviousAddress_ReplacesPortAndAddress()
    {
        var address = SocketAddressConverter.Create(NetEndPoint.FromIPv4(0x01020304, 1));
        var second = NetEndPoint.FromIPv4(0xC0A80001, 51413);

        SocketAddressConverter.Write(second, address);

        Assert.True(SocketAddressConverter.TryRead(address, out var read));
        Assert.Equal(second, read);
    }

    [Fact]
    public void TryRead_IPv4MappedIPv6_BecomesIPv4()
    {
        var mapped = new IPEndPoint(IPAddress.Parse("::ffff:198.51.100.2"), 6881);

        Assert.True(SocketAddressConverter.TryRead(mapped.Serialize(), out var endPoint));

        Assert.False(endPoint.IsIPv6);
        Assert.Equal("198.51.100.2:6881", endPoint.ToString());
    }

    [Fact]
    public void Write_ToAnAddressOfTheOtherFamily_Throws()
    {
        var address = new SocketAddress(AddressFamily.InterNetwork);

        Assert.Throws<ArgumentException>(() =>
            SocketAddressConverter.Write(NetEndPoint.FromIPv6(IPAddress.IPv6Loopback.GetAddressBytes(), 1), address));
    }
}
