using Dht.Protocol;
using Dht.Protocol.Krpc;

namespace Dht.Engine;

/// <summary>
/// Serves query methods beyond BEP 5 (BEP 44 get/put, named values). Called on the node's loop with the
/// validated query and a reply already carrying id, token-less envelope fields; the extension adds its
/// return values or answers with an error.
/// </summary>
internal interface IQueryExtension
{
    /// <summary>True for the methods this extension serves.</summary>
    bool Serves(KrpcMethod method);

    /// <summary>Fills <paramref name="reply"/>; returns an error to send instead, or <see cref="QueryReply.Ok"/>.</summary>
    QueryReply Handle(NetEndPoint source, KrpcMessage query, KrpcMessage reply, DateTimeOffset now);

    /// <summary>Routine upkeep (expiry, replication), on the maintenance timer.</summary>
    void Maintain(DateTimeOffset now);

    /// <summary>A node entered the routing table (Kademlia section 2.5: hand it the values it should hold).</summary>
    void OnContactAdded(NodeInfo node, DateTimeOffset now);
}
