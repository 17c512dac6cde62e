// The BEP 5 client side: ping, find_node, get_peers and announce_peer (to the k closest that answered a
// get_peers lookup, with the tokens they handed out).
using Dht.Engine.Operations;
using Dht.Lookups;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.Messages;

namespace Dht.Engine.Bep5;

/// <summary>BEP 5 queries and lookups of this node.</summary>
internal sealed class Bep5Operations(IOperationContext network, int maxPeersPerResponse)
{
    /// <summary>Pings an endpoint; the answer adds the node to the routing table.</summary>
    public async Task<PingResult> PingAsync(NetEndPoint endPoint, CancellationToken cancellationToken)
    {
        var outcome = await network.QueryAsync(new NodeInfo(default, endPoint), KrpcMethod.Ping, null, static r => PingResponse.Of(r).Id, cancellationToken)
            .ConfigureAwait(true);
        return new PingResult(endPoint, outcome.Answered, outcome.Answered ? outcome.Value : null, outcome.RoundTrip);
    }

    /// <summary>Iterative find_node for <paramref name="target"/>.</summary>
    public async Task<LookupResult> FindNodeAsync(NodeId target, CancellationToken cancellationToken)
    {
        var run = await network.LookupAsync(KrpcMethod.FindNode, target, null, cancellationToken).ConfigureAwait(true);
        return run.ToResult();
    }

    /// <summary>
    /// get_peers lookup for <paramref name="infoHash"/>: reports each new peer to <paramref name="onPeer"/> (on
    /// the loop) and returns the finished lookup, whose tokens serve a following announce.
    /// </summary>
    public Task<LookupRun> GetPeersAsync(
        NodeId infoHash, Action<NetEndPoint> onPeer, CancellationToken cancellationToken, LookupPurpose purpose = LookupPurpose.Read)
    {
        HashSet<NetEndPoint> seen = [];
        List<NetEndPoint> scratch = [];
        return network.LookupAsync(KrpcMethod.GetPeers, infoHash, (_, message) =>
        {
            var response = GetPeersResponse.Of(message);
            if (!response.HasValues)
            {
                return;
            }

            scratch.Clear();
            KrpcLists.ReadPeers(response.Values.Span, scratch, maxPeersPerResponse * 2);
            foreach (var peer in scratch)
            {
                if (seen.Count < 10_000 && seen.Add(peer))
                {
                    onPeer(peer);
                }
            }
        }, cancellationToken, purpose: purpose);
    }

    /// <summary>
    /// Announces that we are a peer for <paramref name="infoHash"/> on <paramref name="port"/> (null: the port we
    /// receive on, sent as implied_port) to the k closest nodes, with the tokens of a get_peers lookup.
    /// </summary>
    public async Task<AnnounceResult> AnnounceAsync(NodeId infoHash, int? port, CancellationToken cancellationToken)
    {
        var lookup = await GetPeersAsync(infoHash, static _ => { }, cancellationToken, LookupPurpose.Write).ConfigureAwait(true);
        var outcome = await network.WriteAsync(lookup, KrpcMethod.AnnouncePeer, m =>
        {
            var q = AnnouncePeerQuery.Of(m);
            q.InfoHash = infoHash;
            q.Port = port ?? network.LocalEndPoint.Port;
            if (port is null)
            {
                q.ImpliedPort = true;
            }
        }, cancellationToken).ConfigureAwait(true);
        return new AnnounceResult(infoHash, outcome.Stored, outcome.Asked)
        {
            NodesAnswered = outcome.Answered,
            NodesPending = outcome.Pending,
            NodesReached = lookup.Answered,
        };
    }
}
