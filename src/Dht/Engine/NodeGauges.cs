// The counts of a node's state that other threads read: metrics' observable instruments, and anything else
// that must not wait for the loop. The loop publishes them after every datagram it handles, every tick of its
// timer and at start; readers get the values as of that moment. Only the parts' cheap counts are read on each
// publication; the contacts' BEP 5 states take a walk over the routing table, so they are recounted at most
// once a second (of the node's clock).
//
// Every field is written by the loop alone, with a release write, and read with an acquire read: each value
// is whole (no torn 64-bit reads), though two values may come from different publications.
using Dht.Engine.Items;
using Dht.Engine.NamedValues;
using Dht.Engine.Network;
using Dht.Engine.Operations;
using Dht.Peers;

namespace Dht.Engine;

/// <summary>Counts of a node's state, published by its loop for other threads.</summary>
internal sealed class NodeGauges(
    NodeFamily family, LookupRunner lookups, IPeerStore peers, ItemExtension items, NamedValueExtension? namedValues)
{
    private static readonly TimeSpan StatesInterval = TimeSpan.FromSeconds(1);

    private DateTimeOffset _statesCountedAt = DateTimeOffset.MinValue;
    private int _contacts;
    private int _good;
    private int _questionable;
    private int _pendingQueries;
    private int _lookups;
    private int _namedValues;
    private long _namedValueBytes;
    private int _items;
    private long _itemBytes;
    private int _peers;
    private int _infoHashes;

    public int Contacts => Volatile.Read(ref _contacts);

    public int GoodContacts => Volatile.Read(ref _good);

    public int QuestionableContacts => Volatile.Read(ref _questionable);

    public int PendingQueries => Volatile.Read(ref _pendingQueries);

    public int ActiveLookups => Volatile.Read(ref _lookups);

    public int NamedValues => Volatile.Read(ref _namedValues);

    public long NamedValueBytes => Volatile.Read(ref _namedValueBytes);

    public int Items => Volatile.Read(ref _items);

    public long ItemBytes => Volatile.Read(ref _itemBytes);

    public int Peers => Volatile.Read(ref _peers);

    public int InfoHashes => Volatile.Read(ref _infoHashes);

    /// <summary>Publishes the current counts. Call on the loop; allocates nothing.</summary>
    public void Publish(DateTimeOffset now)
    {
        var routing = family.Routing;
        Volatile.Write(ref _contacts, routing.Count);
        Volatile.Write(ref _pendingQueries, family.PendingQueries);
        Volatile.Write(ref _lookups, lookups.Running);
        Volatile.Write(ref _namedValues, namedValues?.Policy.Count ?? 0);
        Volatile.Write(ref _namedValueBytes, namedValues?.Policy.TotalBytes ?? 0);
        Volatile.Write(ref _items, items.Policy.Count);
        Volatile.Write(ref _itemBytes, items.Policy.TotalBytes);
        Volatile.Write(ref _peers, peers.PeerCount);
        Volatile.Write(ref _infoHashes, peers.InfoHashCount);
        if (now - _statesCountedAt >= StatesInterval || now < _statesCountedAt)
        {
            _statesCountedAt = now;
            var (good, questionable) = routing.CountStates(now);
            Volatile.Write(ref _good, good);
            Volatile.Write(ref _questionable, questionable);
        }
    }
}
