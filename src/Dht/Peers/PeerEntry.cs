using Dht.Protocol;

namespace Dht.Peers;

/// <summary>One announced peer of a swarm: where to reach it and when it last announced (UTC ticks).</summary>
internal readonly record struct PeerEntry(NetEndPoint EndPoint, long AnnouncedTicks, bool Seed);
