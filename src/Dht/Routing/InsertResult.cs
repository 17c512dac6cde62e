using Dht.Protocol;

namespace Dht.Routing;

/// <summary>
/// The outcome of <see cref="RoutingTable.Heard"/>. <paramref name="PingCandidate"/> is set only for
/// <see cref="InsertOutcome.Pending"/>: the least-recently-seen questionable contact of the bucket that has no
/// ping outstanding. It is null when every questionable contact already has one.
/// </summary>
internal readonly record struct InsertResult(InsertOutcome Outcome, NodeInfo? PingCandidate = null);
