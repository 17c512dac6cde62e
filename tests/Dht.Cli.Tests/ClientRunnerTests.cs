using System.Net;
using Dht.Protocol;

namespace Dht.Cli.Tests;

/// <summary>Which address family a one-shot client binds.</summary>
public sealed class ClientRunnerTests
{
    private static readonly NetEndPoint V4 = NetEndPoint.Parse("127.0.0.1:8001");
    private static readonly NetEndPoint V6 = NetEndPoint.Parse("[::1]:8001");

    [Fact]
    public void WithoutBind_AllIPv6Peers_BindIPv6()
    {
        var options = new DhtOptions();

        Assert.Null(ClientRunner.ChooseListenAddress(options, "default", [V6]));
        Assert.Equal(IPAddress.IPv6Any, options.ListenAddress);
    }

    [Fact]
    public void WithoutBind_AnyIPv4Peer_BindsIPv4()
    {
        var options = new DhtOptions();

        Assert.Null(ClientRunner.ChooseListenAddress(options, "default", [V6, V4]));
        Assert.Equal(IPAddress.Any, options.ListenAddress);
    }

    [Fact]
    public void WithBind_OfAnotherFamilyThanThePeer_IsRefused_NamingBoth()
    {
        var options = new DhtOptions { ListenAddress = IPAddress.Loopback };

        string? error = ClientRunner.ChooseListenAddress(options, "command line --bind", [V6]);

        Assert.Equal("setting 'Bind' (command line --bind) is an IPv4 address, but [::1]:8001 is not: bind an address of the same family", error);
    }

    [Fact]
    public void WithBind_OfTheFamilyOfOnePeer_IsKept()
    {
        var options = new DhtOptions { ListenAddress = IPAddress.IPv6Loopback };

        Assert.Null(ClientRunner.ChooseListenAddress(options, "command line --bind", [V4, V6]));
        Assert.Equal(IPAddress.IPv6Loopback, options.ListenAddress);
    }
}
