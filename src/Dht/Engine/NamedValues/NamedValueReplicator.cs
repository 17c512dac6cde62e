// Keeps named values alive (DESIGN.md section 3): every hour (the paper's tReplicate) each holder re-stores what
// it holds to the current k closest, with the value's remaining lifetime (only its publisher extends it),
// except keys another node stored here within the hour (that node replicated them already); and the publisher
// re-publishes what it wrote, with a full lifetime, while it runs.
using Dht.Engine.Maintenance;
using Dht.Engine.Operations;
using Dht.Storage;

namespace Dht.Engine.NamedValues;

/// <summary>Hourly replication by holders and re-publication by the publisher.</summary>
internal sealed class NamedValueReplicator(
    NamedValueOperations operations, NamedValuePolicy policy, PublishedValues published, IOperationContext network)
    : IMaintenanceDuty
{
    /// <summary>The paper's tReplicate: holders re-store every hour.</summary>
    public static readonly TimeSpan ReplicateInterval = TimeSpan.FromHours(1);

    private DateTimeOffset _nextReplication = network.Now + ReplicateInterval;

    /// <summary>Re-publishes what this node published at the next upkeep (after joining, e.g. following a restart).</summary>
    public void RepublishSoon()
    {
        if (published.Count > 0)
        {
            _nextReplication = network.Now;
        }
    }

    public void Run(DateTimeOffset now)
    {
        if (now < _nextReplication)
        {
            return;
        }

        _nextReplication = now + ReplicateInterval;
        foreach (var value in policy.Live(now).ToArray())
        {
            bool storedHereLately = policy.LastStoreReceived(value.Target) is { } received && now - received <= ReplicateInterval;
            if (!storedHereLately && !published.Contains(value.Target))
            {
                network.RunInBackground(operations.ReplicateAsync(value.Target, value.Value, value.Seq, value.ExpiresAt - now));
            }
        }

        foreach (var p in published.All.ToArray())
        {
            network.RunInBackground(operations.ReplicateAsync(p.Target, p.Value, p.Seq, null));
        }
    }
}
