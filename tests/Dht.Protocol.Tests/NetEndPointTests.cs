using System.Net;

namespace Dht.Protocol.Tests;

public sealed class NetEndPointTests
{
    [Theory]
    [InlineData("1.2.3.4:6881")]
    [InlineData("127.0.0.1:1")]
    [InlineData("255.255.255.255:65535")]
    [InlineData("0.0.0.0:0")]
    public void IPv4_RoundTripsThroughIPEndPoint(string text)
    {
        var ip = IPEndPoint.Parse(text);

        var endPoint = NetEndPoint.FromIPEndPoint(ip);

        Assert.False(endPoint.IsIPv6);
        Assert.Equal(4, endPoint.AddressLength);
        Assert.Equal(ip, endPoint.ToIPEndPoint());
        Assert.Equal(text, endPoint.ToString());
    }

    [Theory]
    [InlineData("[2001:db8::1]:6881")]
    [InlineData("[::1]:80")]
    [InlineData("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535")]
    [InlineData("[fe80::1:2:3:4]:1")]
    public void IPv6_RoundTripsThroughIPEndPoint(string text)
    {
        var ip = IPEndPoint.Parse(text);

        var endPoint = NetEndPoint.FromIPEndPoint(ip);

        Assert.True(endPoint.IsIPv6);
        Assert.Equal(16, endPoint.AddressLength);
        Assert.Equal(ip, endPoint.ToIPEndPoint());
        Assert.Equal(text, endPoint.ToString());
    }

    [Fact]
    public void FromIPEndPoint_WhenIPv4MappedIPv6_BecomesIPv4()
    {
        var mapped = new IPEndPoint(IPAddress.Parse("::ffff:10.0.0.7"), 6881);

        var endPoint = NetEndPoint.FromIPEndPoint(mapped);

        Assert.False(endPoint.IsIPv6);
        Assert.Equal("10.0.0.7:6881", endPoint.ToString());
        Assert.Equal(NetEndPoint.FromIPv4(0x0A000007, 6881), endPoint);
    }

    [Fact]
    public void FromIPv4_HostOrderAndNetworkBytes_Agree()
    {
        var fromNumber = NetEndPoint.FromIPv4(0x7F000001, 8001);
        var fromBytes = NetEndPoint.FromIPv4([127, 0, 0, 1], 8001);

        Assert.Equal(fromNumber, fromBytes);
        Assert.Equal(0x7F000001u, fromBytes.IPv4);
        Assert.Equal("127.0.0.1:8001", fromBytes.ToString());
        Span<byte> address = stackalloc byte[16];
        Assert.Equal(4, fromBytes.WriteAddress(address));
        Assert.Equal(new byte[] { 127, 0, 0, 1 }, address[..4].ToArray());
    }

    [Theory]
    [InlineData("1.2.3.4:6881", true)]
    [InlineData("[2001:db8::1]:6881", true)]
    [InlineData("1.2.3.4", false)]
    [InlineData("1.2.3.4:0", false)]
    [InlineData("1.2.3.4:65536", false)]
    [InlineData("1.2.3.4:-1", false)]
    [InlineData("localhost:8001", false)]
    [InlineData("example.com:80", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("[::1]", false)]
    public void TryParse_AcceptsOnlyLiteralAddressesWithAPort(string? text, bool expected)
    {
        Assert.Equal(expected, NetEndPoint.TryParse(text, out var endPoint));
        if (expected)
        {
            Assert.Equal(text, endPoint.ToString());
        }
        else
        {
            Assert.Equal(default, endPoint);
        }
    }

    [Fact]
    public void SameAddress_IgnoresPortButNotFamily()
    {
        var a = NetEndPoint.FromIPv4(0x01020304, 1);
        var b = NetEndPoint.FromIPv4(0x01020304, 2);
        var c = NetEndPoint.FromIPv4(0x01020305, 1);
        // An IPv6 address whose low 32 bits equal the IPv4 address is still another address.
        var v6 = NetEndPoint.FromIPv6([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4], 1);

        Assert.True(a.SameAddress(b));
        Assert.NotEqual(a, b);
        Assert.False(a.SameAddress(c));
        Assert.False(a.SameAddress(v6));
        Assert.NotEqual(a, v6);
        Assert.NotEqual(a.AddressKey, v6.AddressKey);
        Assert.Equal(a.AddressKey, b.AddressKey);
    }

    [Fact]
    public void WithPort_KeepsTheAddress()
    {
        var a = NetEndPoint.FromIPEndPoint(IPEndPoint.Parse("[2001:db8::5]:1"));

        var b = a.WithPort(6881);

        Assert.True(a.SameAddress(b));
        Assert.Equal(6881, b.Port);
        Assert.True(b.IsIPv6);
    }

    [Theory]
    [InlineData("0.0.0.0:6881", true)]
    [InlineData("1.2.3.4:0", true)]
    [InlineData("[::]:6881", true)]
    [InlineData("1.2.3.4:6881", false)]
    [InlineData("[::1]:6881", false)]
    public void IsUnusable_ForPortZeroOrUnspecifiedAddress(string text, bool expected)
    {
        Assert.Equal(expected, NetEndPoint.FromIPEndPoint(IPEndPoint.Parse(text)).IsUnusable);
    }

    [Fact]
    public void Default_IsEmpty()
    {
        Assert.True(default(NetEndPoint).IsEmpty);
        Assert.False(NetEndPoint.FromIPv4(0, 1).IsEmpty);
        Assert.False(NetEndPoint.FromIPv6(new byte[16], 0).IsEmpty);
    }

    [Fact]
    public void EqualityAndHashCode_FollowValue()
    {
        var a = NetEndPoint.FromIPEndPoint(IPEndPoint.Parse("[2001:db8::1]:6881"));
        var b = NetEndPoint.FromIPEndPoint(IPEndPoint.Parse("[2001:db8:0::1]:6881"));

        Assert.True(a == b);
        Assert.False(a != b);
        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }
}
