// The health check's states, driven by a stub node reading and a manual clock.
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dht.Hosting.Tests;

public sealed class DhtHealthCheckTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ManualClock _clock = new(Start);

    [Fact]
    public async Task NoContacts_IsUnhealthy()
    {
        var result = await Check(new DhtHealthSample(0, Start, Start));

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("No contacts: not in a network (last answer 0 s ago)", result.Description);
    }

    [Fact]
    public async Task FewerContactsThanTheMinimum_IsDegraded()
    {
        var result = await Check(new DhtHealthSample(3, Start, Start));

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Equal("Fewer contacts than 8: 3 contact(s), last answer 0 s ago", result.Description);
    }

    [Fact]
    public async Task EnoughContactsAndARecentAnswer_IsHealthy()
    {
        _clock.Advance(TimeSpan.FromSeconds(90));

        var result = await Check(new DhtHealthSample(8, Start, Start.AddSeconds(30)));

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("8 contact(s), last answer 60 s ago", result.Description);
        Assert.Equal(8, result.Data["contacts"]);
        Assert.Equal(60.0, result.Data["seconds_since_last_answer"]);
    }

    [Theory]
    [InlineData(19, HealthStatus.Healthy)]
    [InlineData(20, HealthStatus.Degraded)]
    [InlineData(59, HealthStatus.Degraded)]
    [InlineData(60, HealthStatus.Unhealthy)]
    public async Task Silence_DegradesThenFails(int minutes, HealthStatus expected)
    {
        _clock.Advance(TimeSpan.FromMinutes(minutes));

        var result = await Check(new DhtHealthSample(50, Start, Start));

        Assert.Equal(expected, result.Status);
    }

    [Fact]
    public async Task BeforeTheFirstAnswer_SilenceCountsFromTheStart()
    {
        _clock.Advance(TimeSpan.FromMinutes(25));

        var result = await Check(new DhtHealthSample(50, Start.AddMinutes(10), null));

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("50 contact(s), no answer yet", result.Description);
    }

    [Fact]
    public async Task Thresholds_AreOptions()
    {
        var options = new DhtHealthCheckOptions { MinimumContacts = 1, DegradedAfterSilence = TimeSpan.FromMinutes(1) };
        _clock.Advance(TimeSpan.FromMinutes(2));

        var result = await Check(new DhtHealthSample(1, Start, Start), options);

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Equal("No answer for 2 min: 1 contact(s), last answer 120 s ago", result.Description);
    }

    private Task<HealthCheckResult> Check(DhtHealthSample sample, DhtHealthCheckOptions? options = null) =>
        new DhtHealthCheck(_ => sample, options ?? new DhtHealthCheckOptions(), _clock).CheckHealthAsync(new HealthCheckContext());
}
