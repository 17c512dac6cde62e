using Dht.Protocol;

namespace Dht.Routing;

/// <summary>
/// The outcome of <see cref="RoutingTable.Heard"/>. <paramref name="PingCandidate"/> is set only for
/// <see cref="InsertOutcome.Pending"/>: the least-recently-seen questionable contact of the bucket that has no
/// ping outstanding. It is null when every questionable contact already has one.
/// </summary>
internal readonly record struct InsertResult(InsertOutcome Outcome, NodeInfo? PingCandidate = null)
{
    /// <summary>
    /// The message was the contact's first answer to one of our queries (at this address) and the contact is
    /// in a bucket: it has just become verified. Hand-over fires on this, never on a node that only queried us.
    /// </summary>
    public bool FirstResponse { get; init; }
}
