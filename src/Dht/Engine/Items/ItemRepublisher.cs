using Dht.Engine.Maintenance;

namespace Dht.Engine.Items;

/// <summary>The publisher's side of BEP 44 item lifetime: re-puts what this node put, every hour.</summary>
internal sealed class ItemRepublisher(ItemOperations items, DateTimeOffset now) : IMaintenanceDuty
{
    /// <summary>BEP 44: the publisher re-puts every hour (items expire after two).</summary>
    public static readonly TimeSpan RepublishInterval = TimeSpan.FromHours(1);

    private DateTimeOffset _nextRepublish = now + RepublishInterval;

    public void Run(DateTimeOffset now)
    {
        if (now < _nextRepublish)
        {
            return;
        }

        _nextRepublish = now + RepublishInterval;
        items.RepublishAll();
    }
}
