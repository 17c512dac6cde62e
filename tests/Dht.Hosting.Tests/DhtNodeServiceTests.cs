// The hosted node on real UDP sockets on 127.0.0.1: what a host sees when it starts and stops.
using System.Net;
using System.Net.Sockets;
using Dht.Net;
using Dht.Protocol;
using Dht.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Dht.Hosting.Tests;

public sealed class DhtNodeServiceTests
{
    [Fact]
    public async Task Start_DoesNotWaitForTheNetwork_AndStopEndsTheJoin()
    {
        // A bootstrap name whose look-up never ends: the host starts all the same.
        var lookUp = new TaskCompletionSource<IPAddress[]>();
        using var host = TestHosts.Loopback("slow.example:6881", s => s.Replace(
            ServiceDescriptor.Singleton(new EndPointResolver((_, ct) => lookUp.Task.WaitAsync(ct)))));

        await host.StartAsync();
        var node = host.Services.GetRequiredService<DhtNode>();
        var service = host.Services.GetRequiredService<DhtNodeService>();

        Assert.NotEqual(0, node.LocalEndPoint.Port);
        Assert.False(service.WhenJoinedAsync().IsCompleted);
        await host.StopAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => service.WhenJoinedAsync());
    }

    [Fact]
    public async Task Stop_ClosesTheNodesSocket()
    {
        using var host = TestHosts.Loopback();
        await host.StartAsync();
        int port = host.Services.GetRequiredService<DhtNode>().LocalEndPoint.Port;

        await host.StopAsync();

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, port)); // throws while the node still holds the port
    }

    [Fact]
    public async Task FirstNode_StartsANewNetwork_AndCountsAsJoined()
    {
        using var host = TestHosts.Loopback();
        await host.StartAsync();

        await host.Services.GetRequiredService<DhtNodeService>().WhenJoinedAsync();

        await host.StopAsync();
    }

    [Fact]
    public async Task SecondNode_JoinsTheFirstByHostName_AndAValueGoesAcross()
    {
        using var first = TestHosts.Loopback();
        await first.StartAsync();
        var a = first.Services.GetRequiredService<DhtNode>();
        using var second = TestHosts.Loopback($"localhost:{a.LocalEndPoint.Port}");
        await second.StartAsync();
        var b = second.Services.GetRequiredService<DhtNode>();

        await second.Services.GetRequiredService<DhtNodeService>().WhenJoinedAsync();
        var put = await b.PutAsync("greeting", "hello"u8.ToArray());
        var got = await a.GetAsync("greeting");

        Assert.Equal(1, b.GetStatus().Contacts);
        Assert.Equal(1, put.NodesStored);
        Assert.True(got.Found);
        Assert.Equal("hello"u8.ToArray(), got.Value.ToArray());
        await second.StopAsync();
        await first.StopAsync();
    }

    [Fact]
    public async Task UnresolvableName_IsTriedAgain_AfterTheRetryDelay()
    {
        int lookUps = 0;
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var resolver = TestHosts.Table([], _ => Interlocked.Increment(ref lookUps));
        using var host = TestHosts.Loopback("nowhere.example:6881", s =>
        {
            s.Replace(ServiceDescriptor.Singleton(resolver));
            s.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock));
        });
        await host.StartAsync();

        // The first join fails at once and waits one second of the host's clock; then the second join fails too.
        await clock.TimersCreated(1);
        Assert.Equal(1, lookUps);
        clock.Advance(TimeSpan.FromSeconds(1));
        await clock.TimersCreated(2);

        Assert.Equal(2, lookUps);
        await host.StopAsync();
    }

    [Fact]
    public async Task DataDirectory_KeepsTheNodeInSqlite_AcrossRestarts()
    {
        string directory = Path.Combine(Path.GetTempPath(), "dht-hosting-" + Guid.NewGuid().ToString("N"));
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Dht:Bind"] = "127.0.0.1",
                ["Dht:Port"] = "0",
                ["Dht:DataDirectory"] = directory,
            }).Build();

            NodeId firstId;
            using (var host = TestHosts.Build(configuration))
            {
                await host.StartAsync();
                firstId = host.Services.GetRequiredService<DhtNode>().Id;
                await host.StopAsync();
            }

            using (var host = TestHosts.Build(configuration))
            {
                await host.StartAsync();
                Assert.Equal(firstId, host.Services.GetRequiredService<DhtNode>().Id);
                await host.StopAsync();
            }

            Assert.True(File.Exists(Path.Combine(directory, SqliteDatabase.FileName)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task RegisteredStores_TakeThePlaceOfTheDataDirectory()
    {
        string directory = Path.Combine(Path.GetTempPath(), "dht-hosting-" + Guid.NewGuid().ToString("N"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Dht:Bind"] = "127.0.0.1",
            ["Dht:Port"] = "0",
            ["Dht:DataDirectory"] = directory,
        }).Build();
        var held = new Storage.InMemoryNamedValueStore();
        using var host = TestHosts.Build(configuration, s => s.AddSingleton(new DhtStores { NamedValues = held }));

        await host.StartAsync();
        await host.StopAsync();

        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task BadSettings_StopTheStart_NamingEachKey()
    {
        var configuration = TestHosts.Json("""
            {
              "Dht": {
                "Port": 70000,
                "ListenAddress": "127.0.0.1",
                "Bootstrap": [ "router.example.org" ],
                "StorageLimits": { "MaxValueSize": 0 }
              }
            }
            """);
        using var host = TestHosts.Build(configuration);

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(
            [
                "Dht:ListenAddress is not read from configuration: set Dht:Bind",
                "Dht:Port must be 0 to 65535, was 70000",
                "Dht:Bootstrap:0 must be HOST:PORT with a port from 1 to 65535, was 'router.example.org'",
                "Dht:StorageLimits:MaxValueSize must be positive, was 0",
            ],
            e.Failures);
    }

    [Fact]
    public async Task OptionsSetInCode_AreValidatedToo()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddDht(o => o.Alpha = 0);
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(["Alpha must be positive, was 0"], e.Failures);
    }

    [Theory]
    [InlineData("""{ "Dht": { "Prot": 8001 } }""", "Prot")]
    [InlineData("""{ "Dht": { "Port": "eighty" } }""", "Dht:Port")]
    public async Task UnknownKeysAndUnreadableValues_StopTheStart_NamingTheKey(string json, string key)
    {
        using var host = TestHosts.Build(TestHosts.Json(json));

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains($"'{key}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthCheck_OfALoneNode_IsUnhealthy_AndOfAJoinedOne_Healthy()
    {
        using var first = TestHosts.Loopback(services: s => s.AddHealthChecks().AddDhtHealthCheck());
        await first.StartAsync();
        var lone = await first.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        int port = first.Services.GetRequiredService<DhtNode>().LocalEndPoint.Port;
        using var second = TestHosts.Loopback($"127.0.0.1:{port}", s => s.AddHealthChecks().AddDhtHealthCheck(configure: o => o.MinimumContacts = 1));
        await second.StartAsync();
        await second.Services.GetRequiredService<DhtNodeService>().WhenJoinedAsync();

        var joined = await second.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal(HealthStatus.Unhealthy, lone.Status);
        Assert.Equal("No contacts: not in a network (no answer yet)", lone.Entries["dht"].Description);
        Assert.Equal(HealthStatus.Healthy, joined.Status);
        Assert.Equal(1, joined.Entries["dht"].Data["contacts"]);
        await second.StopAsync();
        await first.StopAsync();
    }
}
