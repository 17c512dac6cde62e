namespace Dht.Protocol;

/// <summary>A node as the protocol names it: its id and the UDP endpoint it answers on.</summary>
public readonly record struct NodeInfo(NodeId Id, NetEndPoint EndPoint)
{
    /// <summary>The id and the endpoint, for logs.</summary>
    public override string ToString() => $"{Id.ToShortString()}@{EndPoint}";
}
