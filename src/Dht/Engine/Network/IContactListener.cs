using Dht.Protocol;

namespace Dht.Engine.Network;

/// <summary>Told when a contact of the routing table first answers one of our queries (Kademlia section 2.5: hand it the values it should hold).</summary>
internal interface IContactListener
{
    /// <summary>
    /// Called on the loop, inside the answer that verified <paramref name="node"/>; <paramref name="clientVersion"/>
    /// is that answer's KRPC <c>v</c> (empty when none).
    /// </summary>
    void OnContactVerified(IQueryNetwork network, NodeInfo node, ReadOnlySpan<byte> clientVersion, DateTimeOffset now);
}
