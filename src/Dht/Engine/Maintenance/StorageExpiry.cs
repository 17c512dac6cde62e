using Dht.Engine.Items;
using Dht.Engine.NamedValues;
using Dht.Peers;

namespace Dht.Engine.Maintenance;

/// <summary>Drops what has outlived its lifetime: announced peers, BEP 44 items, named values.</summary>
internal sealed class StorageExpiry(IPeerStore peers, ItemExtension items, NamedValueExtension? namedValues) : IMaintenanceDuty
{
    public void Run(DateTimeOffset now)
    {
        peers.Expire(now);
        items.Policy.RemoveExpired(now);
        namedValues?.Policy.RemoveExpired(now);
    }
}
