using System.Buffers;
using Dht.Engine.Network;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Simulation;
using Dht.Transport;

namespace Dht.Tests.Simulation;

/// <summary>
/// A node of another Mainline implementation on a simulated network: it answers ping, find_node and get_peers
/// (with the closest nodes of a directory of the whole network, and a token) and answers our extension's methods
/// the way <see cref="UnknownMethods"/> says: silence (webtorrent's bittorrent-dht, which sends no client version)
/// or as find_node (libtorrent, client version "LT"). It never queries anyone. Counts what it receives.
/// </summary>
internal sealed class MainlineStandIn : IDatagramReceiver
{
    private readonly SimulatedTransport _transport;
    private readonly Func<NodeId, IEnumerable<NodeInfo>> _directory;
    private readonly KrpcMessage _query = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(1500);

    public MainlineStandIn(SimulatedNetwork network, NodeId id, UnknownMethodAnswer unknownMethods, Func<NodeId, IEnumerable<NodeInfo>> directory)
    {
        _transport = network.CreateTransport();
        _directory = directory;
        Node = new NodeInfo(id, _transport.LocalEndPoint);
        UnknownMethods = unknownMethods;
        _transport.Start(this);
    }

    public NodeInfo Node { get; }

    public UnknownMethodAnswer UnknownMethods { get; }

    /// <summary>Queries received, by method.</summary>
    public Dictionary<KrpcMethod, int> Received { get; } = [];

    /// <summary>Queries of our extension received (find_value, store).</summary>
    public int ExtensionQueries => Received.Where(r => ExtensionReach.IsExtensionMethod(r.Key)).Sum(r => r.Value);

    public void OnDatagram(NetEndPoint source, ReadOnlySpan<byte> datagram)
    {
        _query.Reset();
        if (!KrpcParser.Parse(datagram.ToArray(), _query).IsOk || _query.Kind != KrpcMessageKind.Query)
        {
            return;
        }

        Received[_query.Method] = Received.GetValueOrDefault(_query.Method) + 1;
        bool unknown = ExtensionReach.IsExtensionMethod(_query.Method);
        if (unknown && UnknownMethods == UnknownMethodAnswer.Silence)
        {
            return;
        }

        var reply = new KrpcMessage
        {
            Kind = KrpcMessageKind.Response,
            TransactionId = _query.TransactionId.ToArray(),
            Id = Node.Id,
            Fields = KrpcFields.Id,
        };
        if (UnknownMethods == UnknownMethodAnswer.AsFindNode)
        {
            reply.ClientVersion = "LT\x02\x00"u8.ToArray();
            reply.Fields |= KrpcFields.ClientVersion;
        }

        if (_query.Method != KrpcMethod.Ping)
        {
            var target = _query.Has(KrpcFields.InfoHash) ? _query.InfoHash : _query.Target;
            var closest = _directory(target).Where(n => n.Id != Node.Id).OrderBy(n => n.Id ^ target).Take(8).ToList();
            var nodes = new byte[closest.Count * CompactEncoding.NodeV4Size];
            int length = 0;
            foreach (var n in closest)
            {
                length += CompactEncoding.WriteNode(n, nodes.AsSpan(length));
            }

            reply.Nodes = nodes;
            reply.Fields |= KrpcFields.Nodes;
            if (_query.Method == KrpcMethod.GetPeers)
            {
                reply.Token = Node.Id.ToArray()[..4];
                reply.Fields |= KrpcFields.Token;
            }
        }

        _buffer.ResetWrittenCount();
        KrpcWriter.Write(reply, _buffer);
        _transport.Send(source, _buffer.WrittenSpan);
    }
}
