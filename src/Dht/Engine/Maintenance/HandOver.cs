// Kademlia section 2.5: a node that joins is handed the values it is now among the k closest to, by the nodes
// that hold them and that it is closer to. The work is bounded by what the newcomer is owed, never by what we
// hold, and strangers cannot buy more of it:
//
// - It fires on a contact's first answer to one of our queries (RoutingTable's FirstResponse), never on a node
//   that only queried us: an address that sends queries under ever new ids is never verified under them.
// - An address is looked at once per AddressCooldown, whatever ids it answers under: one that answers as a new
//   id (after failing a query under the old one, so that the table lets the id change) gains nothing. The
//   memory of addresses is an LRU of MaxAddresses; beyond it the budget below still holds. Only addresses
//   that cost work (held entries looked at) are remembered, and only for the cooldown, so a node that holds
//   little keeps a small memory.
// - The held values it looks at are those the contact is closer to than we are, found as ranges of the
//   storage index's order by distance from our id (StorageIndex.CloserTo); each is handed over only when the
//   contact is among the k closest contacts we know for it.
// - Every held entry looked at spends one unit of a budget shared by all contacts: MaxKeysPerMinute, refilled
//   evenly. What the budget leaves out reaches the newcomer with the hourly replication.
using System.Runtime.CompilerServices;
using Dht.Engine.Network;
using Dht.Engine.Operations;
using Dht.Protocol;
using Dht.Security;
using Dht.Storage;

namespace Dht.Engine.Maintenance;

/// <summary>Hands held values to contacts on their first answer, within a budget.</summary>
internal sealed class HandOver(IOperationContext operations) : IContactListener
{
    /// <summary>
    /// Held entries looked at for hand-over per minute, all new contacts together. 1,000: a newcomer to a small
    /// network holding a few hundred values is handed them all at once, and a stream of new contacts costs at
    /// most about 17 find_value/store pairs a second (each key handed over is one of each).
    /// </summary>
    public const int MaxKeysPerMinute = 1000;

    /// <summary>Addresses remembered for <see cref="AddressCooldown"/>: more than the routing table holds of new contacts in that time.</summary>
    public const int MaxAddresses = 4096;

    /// <summary>How long an address handed values is left alone: BEP 5's good window, after which a node has had time to restart as another.</summary>
    public static readonly TimeSpan AddressCooldown = TimeSpan.FromMinutes(15);

    private readonly List<IHandOverSource> _sources = [];
    private readonly LruTable<NetEndPoint, long> _recentAddresses = new(MaxAddresses);
    private readonly List<NodeId> _candidates = [];
    private readonly List<NodeInfo> _closest = [];

    /// <summary>The budget of held entries looked at.</summary>
    public WorkBudget Budget { get; } = new(MaxKeysPerMinute, TimeSpan.FromMinutes(1));

    /// <summary>Held entries looked at so far (for tests and status).</summary>
    public long KeysExamined { get; private set; }

    /// <summary>Values handed over so far (find_value or get sent for them).</summary>
    public long KeysHandedOver { get; private set; }

    /// <summary>Contacts that were handed at least one value.</summary>
    public long ContactsServed { get; private set; }

    /// <summary>Addresses within their <see cref="AddressCooldown"/> (for tests and status).</summary>
    public int AddressesRemembered => _recentAddresses.Count;

    /// <summary>Adds a kind of held value.</summary>
    public void Add(IHandOverSource source) => _sources.Add(source);

    public void OnContactVerified(IQueryNetwork network, NodeInfo node, ReadOnlySpan<byte> clientVersion, DateTimeOffset now)
    {
        if (Budget.Available(now) == 0)
        {
            return;
        }

        ForgetCooledAddresses(now);
        var address = SourceKey.Of(node.EndPoint);
        ref long lastTicks = ref _recentAddresses.Find(address);
        if (!Unsafe.IsNullRef(ref lastTicks) && now.UtcTicks - lastTicks < AddressCooldown.Ticks)
        {
            return;
        }

        bool examinedAny = false;
        bool served = false;
        foreach (var source in _sources)
        {
            int available = Budget.Available(now);
            if (available == 0)
            {
                break;
            }

            if (!source.Serves(clientVersion))
            {
                continue;
            }

            _candidates.Clear();
            int examined = source.HeldCloserTo(node.Id, available, _candidates);
            Budget.Spend(examined);
            KeysExamined += examined;
            examinedAny |= examined > 0;
            List<NodeId>? chosen = null;
            foreach (var target in _candidates)
            {
                network.FindClosest(target, operations.K, _closest);
                if (_closest.Count < operations.K || target.CompareDistance(node.Id, _closest[^1].Id) <= 0)
                {
                    (chosen ??= []).Add(target);
                }
            }

            if (chosen is not null)
            {
                KeysHandedOver += chosen.Count;
                served = true;
                operations.RunInBackground(source.HandOverAsync(node, chosen));
            }
        }

        // Only an address that cost work is remembered: one we held nothing for would gain nothing by coming
        // back under another id, and most verified contacts are such, so they take no memory.
        if (examinedAny)
        {
            _recentAddresses.GetOrAdd(address, out _) = now.UtcTicks;
        }

        if (served)
        {
            ContactsServed++;
        }
    }

    // Entries are added in time order (an address is re-added only after its cooldown), so the oldest comes
    // first; one past its cooldown says nothing an absent entry would not.
    private void ForgetCooledAddresses(DateTimeOffset now)
    {
        while (true)
        {
            ref long oldest = ref _recentAddresses.PeekOldest();
            if (Unsafe.IsNullRef(ref oldest) || now.UtcTicks - oldest < AddressCooldown.Ticks)
            {
                return;
            }

            _recentAddresses.RemoveOldest();
        }
    }
}
