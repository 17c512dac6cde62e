// DhtOptions bound by both configuration binders: the source generator (Get<T>, as a native AOT app binds) and
// the reflection binder (Bind into an object, as a plain app does without the generator).
using System.Net;
using Dht.Protocol;
using Microsoft.Extensions.Configuration;

namespace Dht.Hosting.Tests.Options;

public sealed class DhtOptionsBindingTests
{
    private const string Json = """
        {
          "Dht": {
            "Port": 8002,
            "Bind": "127.0.0.1",
            "Bootstrap": [ "127.0.0.1:8001", "router.example.org:6881", "[::1]:6881" ],
            "QueryTimeout": "00:00:01.500",
            "BucketRefreshInterval": "00:10:00",
            "EnableNamedValues": false,
            "DataDirectory": "/var/lib/dht",
            "StorageLimits": { "MaxItems": 5000, "MaxTtl": "12:00:00", "DefaultTtl": "06:00:00" },
            "Transport": { "BatchReceive": false, "ReceiveBufferSize": 1048576 }
          }
        }
        """;

    public enum Binder
    {
        SourceGenerator,
        Reflection,
    }

    [Theory]
    [InlineData(Binder.SourceGenerator)]
    [InlineData(Binder.Reflection)]
    public void Json_BindsEveryKindOfSetting(Binder binder)
    {
        var options = Bind(TestHosts.Json(Json).GetSection("Dht"), binder);

        Assert.Equal(8002, options.Port);
        Assert.Equal(IPAddress.Loopback, options.ListenAddress);
        Assert.Equal(["127.0.0.1:8001", "router.example.org:6881", "[::1]:6881"], options.Bootstrap);
        Assert.Empty(options.BootstrapNodes); // names are resolved when the node joins, not here
        Assert.Equal(TimeSpan.FromMilliseconds(1500), options.QueryTimeout);
        Assert.Equal(TimeSpan.FromMinutes(10), options.BucketRefreshInterval);
        Assert.False(options.EnableNamedValues);
        Assert.Equal("/var/lib/dht", options.DataDirectory);
        Assert.Equal(5000, options.StorageLimits.MaxItems);
        Assert.Equal(TimeSpan.FromHours(12), options.StorageLimits.MaxTtl);
        Assert.Equal(1000, options.StorageLimits.MaxValueSize); // untouched defaults stay
        Assert.False(options.Transport.BatchReceive);
        Assert.Equal(1 << 20, options.Transport.ReceiveBufferSize);
        Assert.Empty(options.FindProblems());
    }

    [Theory]
    [InlineData(Binder.SourceGenerator)]
    [InlineData(Binder.Reflection)]
    public void EnvironmentVariables_BindWithDoubleUnderscores(Binder binder)
    {
        string prefix = $"DHTTEST{Guid.NewGuid():N}_";
        (string Name, string Value)[] variables =
        [
            ("Dht__Port", "8003"),
            ("Dht__Bind", "::1"),
            ("Dht__Bootstrap__0", "localhost:8001"),
            ("Dht__Bootstrap__1", "10.0.0.1:6881"),
            ("Dht__SoftTimeout", "00:00:00.250"),
            ("Dht__StorageLimits__MaxValueSize", "500"),
            ("Dht__Transport__SharedReceiveThread", "false"),
        ];
        try
        {
            foreach (var (name, value) in variables)
            {
                Environment.SetEnvironmentVariable(prefix + name, value);
            }

            var configuration = new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build();
            var options = Bind(configuration.GetSection("Dht"), binder);

            Assert.Equal(8003, options.Port);
            Assert.Equal(IPAddress.IPv6Loopback, options.ListenAddress);
            Assert.Equal(["localhost:8001", "10.0.0.1:6881"], options.Bootstrap);
            Assert.Equal(TimeSpan.FromMilliseconds(250), options.SoftTimeout);
            Assert.Equal(500, options.StorageLimits.MaxValueSize);
            Assert.False(options.Transport.SharedReceiveThread);
        }
        finally
        {
            foreach (var (name, _) in variables)
            {
                Environment.SetEnvironmentVariable(prefix + name, null);
            }
        }
    }

    [Fact]
    public void Code_KeepsTheTypedProperties()
    {
        var options = new DhtOptions { ListenAddress = IPAddress.Loopback };
        options.BootstrapNodes.Add(NetEndPoint.Parse("127.0.0.1:8001"));

        Assert.Equal("127.0.0.1", options.Bind);
        Assert.Equal([NetEndPoint.Parse("127.0.0.1:8001")], options.BootstrapNodes);
        Assert.Empty(options.FindProblems());
    }

    [Theory]
    [InlineData(Binder.SourceGenerator)]
    [InlineData(Binder.Reflection)]
    public void BadValues_AreProblemsNamingTheirKeys(Binder binder)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Dht:Port"] = "70000",
            ["Dht:Bind"] = "nonsense",
            ["Dht:Bootstrap:0"] = "127.0.0.1:8001",
            ["Dht:Bootstrap:1"] = "no-port",
            ["Dht:SoftTimeout"] = "00:00:05",
            ["Dht:StorageLimits:MaxItems"] = "0",
        }).Build();

        var problems = Bind(configuration.GetSection("Dht"), binder).FindProblems().Select(p => p.ToString()).ToList();

        Assert.Equal(
            [
                "Port must be 0 to 65535, was 70000",
                "Bind must be an IP address, was 'nonsense'",
                "Bootstrap:1 must be HOST:PORT with a port from 1 to 65535, was 'no-port'",
                "SoftTimeout must not exceed QueryTimeout (00:00:02), was 00:00:05",
                "StorageLimits:MaxItems must be positive, was 0",
            ],
            problems);
    }

    [Fact]
    public void Validate_ThrowsForTheFirstProblem_WithThePropertyPath()
    {
        var options = new DhtOptions();
        options.StorageLimits.MaxItems = 0;

        var e = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal("StorageLimits.MaxItems", e.ParamName);
        Assert.StartsWith("StorageLimits.MaxItems must be positive, was 0.", e.Message, StringComparison.Ordinal);
    }

    private static DhtOptions Bind(IConfigurationSection section, Binder binder)
    {
        if (binder == Binder.SourceGenerator)
        {
            return section.Get<DhtOptions>() ?? new DhtOptions();
        }

        // Typed as object, the call is not intercepted by the generator: the reflection binder runs.
        object options = new DhtOptions();
        section.Bind(options);
        return (DhtOptions)options;
    }
}
