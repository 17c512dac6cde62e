namespace Dht.Hosting;

/// <summary>When the DHT health check reports Degraded or Unhealthy. A node with no contact at all is always Unhealthy.</summary>
public sealed class DhtHealthCheckOptions
{
    /// <summary>
    /// Fewer contacts in the routing table than this is Degraded. Default 8: BEP 5's k, the number of nodes a
    /// value is stored on; a smaller private network sets its own size less one.
    /// </summary>
    public int MinimumContacts { get; set; } = 8;

    /// <summary>
    /// No answer to any query of the node's own for this long is Degraded (counted from the start before the
    /// first answer). Default 20 minutes: BEP 5 calls a contact questionable after 15 minutes of silence and
    /// maintenance then pings it, and refreshes a bucket idle for 15 minutes, so a node in a healthy network, however
    /// quiet, hears an answer at least that often; 5 minutes more for the maintenance interval and a lost reply.
    /// </summary>
    public TimeSpan DegradedAfterSilence { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>No answer for this long is Unhealthy. Default 1 hour: four bucket refreshes in a row without one.</summary>
    public TimeSpan UnhealthyAfterSilence { get; set; } = TimeSpan.FromHours(1);
}
