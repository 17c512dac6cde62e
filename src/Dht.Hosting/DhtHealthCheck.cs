// The node's health as a load balancer or an orchestrator reads it: is it in a network, and does the network
// still answer it? Two readings: the routing table's size (none: Unhealthy; fewer than k: Degraded) and the time
// since the last answer to a query of its own (long silences: Degraded, then Unhealthy). Queries received are
// not counted: a node can be reachable and still cut off from everyone it would ask.
using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Dht.Hosting;

/// <summary>Reports Healthy, Degraded or Unhealthy from the node's contacts and its last answer.</summary>
internal sealed class DhtHealthCheck(Func<DateTimeOffset, DhtHealthSample> sample, DhtHealthCheckOptions options, TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        return Task.FromResult(Evaluate(sample(now), now, options));
    }

    internal static HealthCheckResult Evaluate(DhtHealthSample sample, DateTimeOffset now, DhtHealthCheckOptions options)
    {
        var silence = now - (sample.LastAnswerAt ?? sample.StartedAt);
        if (silence < TimeSpan.Zero)
        {
            silence = TimeSpan.Zero;
        }

        var data = new Dictionary<string, object>
        {
            ["contacts"] = sample.Contacts,
            ["seconds_since_last_answer"] = Math.Round(silence.TotalSeconds),
        };
        string heard = sample.LastAnswerAt is null ? "no answer yet" : Format($"last answer {silence.TotalSeconds:0} s ago");
        string summary = Format($"{sample.Contacts} contact(s), {heard}");
        if (sample.Contacts == 0)
        {
            return HealthCheckResult.Unhealthy($"No contacts: not in a network ({heard})", data: data);
        }

        if (silence >= options.UnhealthyAfterSilence)
        {
            return HealthCheckResult.Unhealthy($"No answer for {silence.TotalMinutes:0} min: {summary}", data: data);
        }

        if (silence >= options.DegradedAfterSilence)
        {
            return HealthCheckResult.Degraded(Format($"No answer for {silence.TotalMinutes:0} min: {summary}"), data: data);
        }

        return sample.Contacts < options.MinimumContacts
            ? HealthCheckResult.Degraded(Format($"Fewer contacts than {options.MinimumContacts}: {summary}"), data: data)
            : HealthCheckResult.Healthy(summary, data);
    }

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
