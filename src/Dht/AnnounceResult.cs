using Dht.Protocol;

namespace Dht;

/// <summary>The outcome of an announce: how many of the closest nodes accepted it.</summary>
public sealed record AnnounceResult(NodeId InfoHash, int NodesAccepted, int NodesAsked);
