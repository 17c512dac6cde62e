using Dht.Protocol;

namespace Dht.Engine.Network;

/// <summary>Told when a contact enters a routing table (Kademlia section 2.5: hand it the values it should hold).</summary>
internal interface IContactListener
{
    /// <summary>Called on the loop, inside the datagram or query outcome that added the contact.</summary>
    void OnContactAdded(IQueryNetwork network, NodeInfo node, DateTimeOffset now);
}
