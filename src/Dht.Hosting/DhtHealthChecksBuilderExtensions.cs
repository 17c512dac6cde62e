using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Dht.Hosting;

/// <summary>Adds the health check of the node registered with <see cref="DhtServiceCollectionExtensions.AddDht(IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration)"/>.</summary>
public static class DhtHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check of the registered <see cref="DhtNode"/>: Unhealthy with no contact or after a long silence,
    /// Degraded with fewer contacts than <see cref="DhtHealthCheckOptions.MinimumContacts"/> or after a shorter
    /// one, else Healthy. Its data: <c>contacts</c> and <c>seconds_since_last_answer</c>.
    /// </summary>
    /// <param name="builder">From <c>services.AddHealthChecks()</c>.</param>
    /// <param name="name">The check's name.</param>
    /// <param name="configure">Changes the thresholds.</param>
    /// <param name="tags">Tags to filter checks by (for example "ready").</param>
    public static IHealthChecksBuilder AddDhtHealthCheck(
        this IHealthChecksBuilder builder, string name = "dht", Action<DhtHealthCheckOptions>? configure = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<DhtHealthCheckOptions>(name).Configure(o => configure?.Invoke(o));
        return builder.Add(new HealthCheckRegistration(
            name,
            sp =>
            {
                var node = sp.GetRequiredService<DhtNode>();
                var options = sp.GetRequiredService<IOptionsMonitor<DhtHealthCheckOptions>>().Get(name);
                return new DhtHealthCheck(now => DhtHealthSample.Of(node, now), options, sp.GetService<TimeProvider>() ?? TimeProvider.System);
            },
            failureStatus: null,
            tags));
    }
}
