using Dht.Protocol;

namespace Dht.Peers;

/// <summary>One announced peer of a swarm.</summary>
/// <param name="EndPoint">Where to reach the peer.</param>
/// <param name="AnnouncedTicks">When it last announced, in UTC ticks.</param>
/// <param name="Seed">Whether it announced itself as a seed.</param>
/// <param name="Source">The <see cref="Storage.SourceKey"/> of the announce that stored it: what per-source limits count.</param>
internal readonly record struct PeerEntry(NetEndPoint EndPoint, long AnnouncedTicks, bool Seed, NetEndPoint Source);
