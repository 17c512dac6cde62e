namespace Dht.Engine.Maintenance;

/// <summary>Forgets rate-limiter entries of sources that have gone quiet, so the table holds only active ones.</summary>
internal sealed class RateLimiterPruning(RateLimiter limiter) : IMaintenanceDuty
{
    public void Run(DateTimeOffset now) => limiter.Prune(now);
}
