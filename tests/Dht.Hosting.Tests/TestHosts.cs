using System.Text;
using Dht.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Dht.Hosting.Tests;

/// <summary>Hosts with nothing but what a test gives them: no appsettings, no environment, no console logging.</summary>
internal static class TestHosts
{
    public static IConfigurationRoot Json(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    public static IHost Build(IConfiguration configuration, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddDht(configuration.GetSection("Dht"));
        services?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>A node on 127.0.0.1 with a free port, joining through <paramref name="bootstrap"/>.</summary>
    public static IHost Loopback(string? bootstrap = null, Action<IServiceCollection>? services = null)
    {
        var values = new Dictionary<string, string?> { ["Dht:Bind"] = "127.0.0.1", ["Dht:Port"] = "0" };
        if (bootstrap is not null)
        {
            values["Dht:Bootstrap:0"] = bootstrap;
        }

        return Build(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), services);
    }

    /// <summary>A resolver that answers from a table and counts its look-ups.</summary>
    public static EndPointResolver Table(Dictionary<string, System.Net.IPAddress[]> names, Action<string>? looked = null) =>
        new((host, _) =>
        {
            looked?.Invoke(host);
            return names.TryGetValue(host, out var addresses)
                ? Task.FromResult(addresses)
                : Task.FromException<System.Net.IPAddress[]>(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound));
        });
}
