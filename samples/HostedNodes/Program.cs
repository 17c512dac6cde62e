// Two DHT nodes, each in a generic host of its own, in one process: the second joins the first (found by host
// name), a value put on the second is read from the first, and both report their health. Settings come from
// appsettings.json and environment variables (Nodes__Second__DataDirectory=/tmp/dht keeps the second in SQLite).
// Exits 0 when the value came back and both nodes are healthy, 1 otherwise; it gives up after 30 seconds.
using System.Text;
using Dht;
using Dht.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
var ct = timeout.Token;
try
{
    using var first = BuildHost("First", args);
    await first.StartAsync(ct);
    var a = first.Services.GetRequiredService<DhtNode>();
    Console.WriteLine($"First node:  {a.LocalEndPoint}, a new network");

    string bootstrap = $"localhost:{a.LocalEndPoint.Port}";
    using var second = BuildHost("Second", args, new() { ["Nodes:Second:Bootstrap:0"] = bootstrap });
    await second.StartAsync(ct);
    var b = second.Services.GetRequiredService<DhtNode>();
    await second.Services.GetRequiredService<DhtNodeService>().WhenJoinedAsync(ct);
    string storage = second.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DhtOptions>>().Value.DataDirectory is { } directory
        ? $"SQLite in {directory}"
        : "in memory";
    Console.WriteLine($"Second node: {b.LocalEndPoint}, joined through {bootstrap}, {storage}");

    var put = await b.PutAsync("greeting", Encoding.UTF8.GetBytes("hello from the second node"), ct);
    Console.WriteLine($"Put 'greeting' on the second node: stored on {put.NodesStored} node(s)");
    var got = await a.GetAsync("greeting", ct);
    string value = got.Found ? Encoding.UTF8.GetString(got.Value.Span) : "(not found)";
    Console.WriteLine($"Got 'greeting' from the first node: {value}");

    var firstHealth = await first.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(ct);
    var secondHealth = await second.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(ct);
    Console.WriteLine($"Health: first {Describe(firstHealth)}; second {Describe(secondHealth)}");

    await second.StopAsync(ct);
    await first.StopAsync(ct);
    bool ok = value == "hello from the second node"
        && firstHealth.Status == HealthStatus.Healthy && secondHealth.Status == HealthStatus.Healthy;
    Console.WriteLine(ok ? "OK" : "FAILED");
    return ok ? 0 : 1;
}
catch (OperationCanceledException) when (timeout.IsCancellationRequested)
{
    Console.Error.WriteLine("FAILED: not done within 30 seconds");
    return 1;
}

// A host with one node, configured from the section Nodes:NAME of appsettings.json, the environment and overrides.
static IHost BuildHost(string name, string[] args, Dictionary<string, string?>? overrides = null)
{
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
    builder.Configuration.AddInMemoryCollection(overrides ?? []);
    builder.Services.AddDht(builder.Configuration.GetSection($"Nodes:{name}"));
    // Two nodes make a small network: one contact is all a node can have.
    builder.Services.AddHealthChecks().AddDhtHealthCheck(configure: o => o.MinimumContacts = 1);
    return builder.Build();
}

static string Describe(HealthReport report) => $"{report.Status} ({report.Entries["dht"].Description})";
