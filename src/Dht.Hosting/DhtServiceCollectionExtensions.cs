// The one call that puts a node in a host: options, the node, the service that runs it.
using Dht.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dht.Hosting;

/// <summary>Registers a hosted <see cref="DhtNode"/>.</summary>
public static class DhtServiceCollectionExtensions
{
    /// <summary>
    /// Registers a DHT node configured from <paramref name="configuration"/> (usually <c>GetSection("Dht")</c>):
    /// <see cref="IOptions{DhtOptions}"/> bound from it and validated when the host starts, a singleton
    /// <see cref="DhtNode"/>, and <see cref="DhtNodeService"/>, which starts it with the host, joins the network in
    /// the background and stops it with the host. Keys are <see cref="DhtOptions"/>' properties
    /// (<c>Port</c>, <c>Bind</c>, <c>Bootstrap</c>, <c>DataDirectory</c>, <c>QueryTimeout</c>, <c>StorageLimits:MaxItems</c>...);
    /// an unknown key or a bad value stops the host's start with an error naming it (<c>Dht:Port must be 0 to 65535, was 70000</c>).
    /// </summary>
    public static IServiceCollection AddDht(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        // Generated at compile time (see SYSLIB1100 in the project file); ListenAddress is left out.
        services.AddOptions<DhtOptions>()
            .Bind(configuration, binder => binder.ErrorOnUnknownConfiguration = true)
            .Configure(options => AddBootstrapList(options, configuration));
        return services.AddDhtCore(new DhtOptionsValidator(configuration));
    }

    /// <summary>Registers a DHT node as <see cref="AddDht(IServiceCollection, IConfiguration)"/> does, with options set in code.</summary>
    public static IServiceCollection AddDht(this IServiceCollection services, Action<DhtOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<DhtOptions>().Configure(configure);
        return services.AddDhtCore(new DhtOptionsValidator(null));
    }

    private static IServiceCollection AddDhtCore(this IServiceCollection services, DhtOptionsValidator validator)
    {
        services.AddOptions<DhtOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DhtOptions>>(validator));
        services.TryAddSingleton(EndPointResolver.Default);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DhtNodeFactory>();
        services.TryAddSingleton(sp => sp.GetRequiredService<DhtNodeFactory>().Create());
        services.TryAddSingleton(sp => new DhtNodeService(
            sp.GetRequiredService<DhtNode>, sp.GetRequiredService<IOptions<DhtOptions>>(), sp.GetRequiredService<EndPointResolver>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<DhtNodeService>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DhtNodeService>(sp => sp.GetRequiredService<DhtNodeService>()));
        return services;
    }

    /// <summary>
    /// A whole list in one value (<c>Dht__Bootstrap=a:1,b:2</c>, as the <c>dht</c> command takes <c>DHT_BOOTSTRAP</c>),
    /// which the binder would skip: it binds a list only from entries (<c>Dht__Bootstrap__0</c>).
    /// </summary>
    private static void AddBootstrapList(DhtOptions options, IConfiguration configuration)
    {
        if (configuration[nameof(DhtOptions.Bootstrap)] is { } list)
        {
            foreach (string entry in list.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                options.Bootstrap.Add(entry);
            }
        }
    }
}
