using Dht.Protocol;

namespace Dht;

/// <summary>The answer to a ping: whether it came, the responder's id and the round-trip time.</summary>
public sealed record PingResult(NetEndPoint EndPoint, bool Answered, NodeId? NodeId, TimeSpan RoundTrip);
