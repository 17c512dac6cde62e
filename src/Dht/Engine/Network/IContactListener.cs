using Dht.Protocol;

namespace Dht.Engine.Network;

/// <summary>
/// Told when a contact of a routing table answers one of our queries for the first time (Kademlia section 2.5: hand
/// it the values it should hold). Not when a node that only queried us enters the table: it has shown nothing yet.
/// </summary>
internal interface IContactListener
{
    /// <summary>Called on the loop, inside the query outcome that verified the contact.</summary>
    void OnContactAdded(IQueryNetwork network, NodeInfo node, DateTimeOffset now);
}
