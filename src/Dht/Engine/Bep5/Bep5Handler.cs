// The BEP 5 server side: ping, find_node, get_peers and announce_peer.
//
// Departure from BEP 5: get_peers answers carry both "values" and "nodes", so that a lookup never stalls at a
// node that happens to store peers.
using System.Buffers;
using Dht.Engine.Dispatch;
using Dht.Peers;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.Messages;

namespace Dht.Engine.Bep5;

/// <summary>Answers BEP 5 queries from the routing table and the peer store.</summary>
internal sealed class Bep5Handler(IPeerStore peers, int maxPeersPerResponse) : IQueryHandler
{
    private readonly ArrayBufferWriter<byte> _valuesBuffer = new(512);
    private readonly List<NetEndPoint> _peerScratch = [];

    public IReadOnlyList<KrpcMethod> Methods { get; } =
        [KrpcMethod.Ping, KrpcMethod.FindNode, KrpcMethod.GetPeers, KrpcMethod.AnnouncePeer];

    public QueryAnswer Handle(IQueryContext context, KrpcMessage query, KrpcMessage reply)
    {
        switch (query.Method)
        {
            case KrpcMethod.FindNode:
                FindNodeResponse.Of(reply).Nodes = context.ClosestNodes(FindNodeQuery.Of(query).Target);
                break;
            case KrpcMethod.GetPeers:
                GetPeers(context, GetPeersQuery.Of(query), GetPeersResponse.Of(reply));
                break;
            case KrpcMethod.AnnouncePeer:
                return AnnouncePeer(context, AnnouncePeerQuery.Of(query));
        }

        return QueryAnswer.Reply;
    }

    private void GetPeers(IQueryContext context, GetPeersQuery query, GetPeersResponse reply)
    {
        reply.Token = context.WriteToken();
        _peerScratch.Clear();
        if (peers.GetPeers(query.InfoHash, context.Now, maxPeersPerResponse, context.Random, _peerScratch) > 0)
        {
            _valuesBuffer.ResetWrittenCount();
            KrpcLists.WritePeers(_peerScratch, _valuesBuffer);
            reply.Values = _valuesBuffer.WrittenMemory;
        }

        reply.Nodes = context.ClosestNodes(query.InfoHash);
    }

    private QueryAnswer AnnouncePeer(IQueryContext context, AnnouncePeerQuery query)
    {
        if (!context.ValidateToken(query.Token.Span))
        {
            return QueryAnswer.Error(KrpcErrorCode.Protocol, "bad token");
        }

        ushort port = query.ImpliedPort ? context.Source.Port : (ushort)query.Port;
        var announced = peers.Announce(query.InfoHash, context.Source.WithPort(port), query.Seed, context.Now, context.Source);
        return announced.ToKrpcErrorCode() is { } refused
            ? QueryAnswer.Error(refused, PeerAnnounceResultExtensions.SourceLimitMessage)
            : QueryAnswer.Reply;
    }
}
