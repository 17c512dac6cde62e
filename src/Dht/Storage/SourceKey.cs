// Who a stored entry or announced peer is counted against: the sender's address (a node, or every node
// behind one NAT), except on loopback, where every node of a test network shares 127.0.0.1 and the port is
// what tells them apart. Per-source quotas and fair eviction count by this key, so that tests on one machine
// exercise them as a real network would, instead of exempting loopback.
using Dht.Protocol;

namespace Dht.Storage;

/// <summary>The key per-source limits count a sender under.</summary>
internal static class SourceKey
{
    /// <summary>
    /// The sender's address with port 0, or on loopback its address and port. The empty endpoint (a local
    /// write) stays empty: callers exempt it from quotas.
    /// </summary>
    public static NetEndPoint Of(NetEndPoint source) => source.IsLoopback ? source : source.WithPort(0);
}
