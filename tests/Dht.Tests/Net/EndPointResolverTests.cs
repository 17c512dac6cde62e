using System.Net;
using System.Net.Sockets;
using Dht.Net;
using Dht.Protocol;

namespace Dht.Tests.Net;

public sealed class EndPointResolverTests
{
    private readonly List<string> _lookedUp = [];

    [Theory]
    [InlineData("127.0.0.1:8001", "127.0.0.1:8001")]
    [InlineData(" [::1]:6881 ", "[::1]:6881")]
    public async Task Literal_NeedsNoLookUp(string text, string expected)
    {
        var result = await Resolver().ResolveAsync(text);

        Assert.Equal(NetEndPoint.Parse(expected), result.EndPoint);
        Assert.Empty(_lookedUp);
    }

    [Theory]
    [InlineData(AddressFamily.Unspecified, "10.0.0.1:6881")]
    [InlineData(AddressFamily.InterNetwork, "10.0.0.1:6881")]
    [InlineData(AddressFamily.InterNetworkV6, "[fd00::1]:6881")]
    public async Task Name_TakesAnAddressOfThePreferredFamily(AddressFamily preferred, string expected)
    {
        var result = await Resolver().ResolveAsync("router.example.org:6881", preferred);

        Assert.True(result.Resolved);
        Assert.Equal(NetEndPoint.Parse(expected), result.EndPoint);
        Assert.Equal(["router.example.org"], _lookedUp);
    }

    [Fact]
    public async Task Localhost_ResolvesWithTheSystemResolver()
    {
        var result = await EndPointResolver.Default.ResolveAsync("localhost:8001");

        Assert.Equal(NetEndPoint.Parse("127.0.0.1:8001"), result.EndPoint);
    }

    [Fact]
    public async Task UnknownName_IsAProblem_NotAnException()
    {
        var result = await Resolver().ResolveAsync("nowhere.example:6881");

        Assert.False(result.Resolved);
        Assert.StartsWith("cannot resolve 'nowhere.example': ", result.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("router.example.org")]
    [InlineData("router.example.org:0")]
    [InlineData("router.example.org:65536")]
    [InlineData("::1")]
    [InlineData("two words:6881")]
    [InlineData(":6881")]
    public async Task NotHostAndPort_IsRefusedWithoutALookUp(string text)
    {
        var result = await Resolver().ResolveAsync(text);

        Assert.Equal(HostEndPoint.Expected, result.Problem);
        Assert.Empty(_lookedUp);
    }

    [Fact]
    public async Task ResolveBootstrap_AddsEachResolvedNodeOnce()
    {
        var options = new DhtOptions();
        options.BootstrapNodes.Add(NetEndPoint.Parse("10.0.0.1:6881"));
        options.Bootstrap.Add("router.example.org:6881");
        options.Bootstrap.Add("127.0.0.1:8001");
        options.Bootstrap.Add("nowhere.example:6881");

        var results = await Resolver().ResolveBootstrapAsync(options);

        Assert.Equal([true, true, false], results.Select(r => r.Resolved));
        Assert.Equal([NetEndPoint.Parse("10.0.0.1:6881"), NetEndPoint.Parse("127.0.0.1:8001")], options.BootstrapNodes);
    }

    private EndPointResolver Resolver() => new((host, _) =>
    {
        _lookedUp.Add(host);
        return host == "router.example.org"
            ? Task.FromResult(new[] { IPAddress.Parse("fd00::1"), IPAddress.Parse("10.0.0.1") })
            : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
    });
}
