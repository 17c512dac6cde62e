namespace Dht.Hosting;

/// <summary>What the health check reads from a node.</summary>
/// <param name="Contacts">Contacts in its routing table.</param>
/// <param name="StartedAt">When the node started (its uptime counts back to it).</param>
/// <param name="LastAnswerAt">When an answer last came; null before the first.</param>
internal readonly record struct DhtHealthSample(int Contacts, DateTimeOffset StartedAt, DateTimeOffset? LastAnswerAt)
{
    public static DhtHealthSample Of(DhtNode node, DateTimeOffset now)
    {
        var status = node.GetStatus();
        return new DhtHealthSample(status.Contacts, now - status.Uptime, node.Counters.LastAnswerAt);
    }
}
