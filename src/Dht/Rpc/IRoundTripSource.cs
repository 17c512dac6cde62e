using Dht.Protocol;

namespace Dht.Rpc;

/// <summary>Per-contact round-trip estimates, kept where the contacts are (the routing table).</summary>
internal interface IRoundTripSource
{
    /// <summary>
    /// The estimate for the contact with <paramref name="id"/> at <paramref name="endPoint"/>; an unmeasured
    /// one (<see cref="RoundTripEstimate.IsMeasured"/> false) when there is no such contact.
    /// </summary>
    RoundTripEstimate RoundTripOf(NodeId id, NetEndPoint endPoint);
}
