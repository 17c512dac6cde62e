using System.Net;
using System.Net.Sockets;
using Dht.Protocol;
using Dht.Protocol.Krpc;

namespace Dht.Adversary;

/// <summary>
/// A well-behaved contact for the node under test: answers every query (with its fellow responders as
/// "nodes"), so that the node's routing table holds contacts that answered it and its find_node answers
/// carry a full set of eight nodes, as on a real network.
/// </summary>
internal sealed class Responder : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Thread _thread;
    private byte[] _nodes = [];
    private int _answered;

    public Responder(IPAddress address, NodeId id)
    {
        Id = id;
        _socket.Bind(new IPEndPoint(address, 0));
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _thread = new Thread(Serve) { IsBackground = true, Name = "responder" };
    }

    public NodeId Id { get; }

    public IPEndPoint EndPoint { get; }

    /// <summary>Queries answered so far.</summary>
    public int Answered => Volatile.Read(ref _answered);

    /// <summary>Starts answering with <paramref name="nodes"/> as the compact nodes of every answer.</summary>
    public void Start(byte[] nodes)
    {
        _nodes = nodes;
        _thread.Start();
    }

    public void Dispose() => _socket.Dispose();

    private void Serve()
    {
        byte[] buffer = new byte[2048];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        var query = new KrpcMessage();
        while (true)
        {
            int n;
            try
            {
                n = _socket.ReceiveFrom(buffer, ref from);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            if (!KrpcParser.Parse(buffer.AsMemory(0, n), query).IsOk || query.Kind != KrpcMessageKind.Query)
            {
                continue;
            }

            byte[] reply = KrpcBytes.Response(query.TransactionId.ToArray(), Id, query.Method == KrpcMethod.Ping ? default : _nodes);
            _socket.SendTo(reply, from);
            Interlocked.Increment(ref _answered);
        }
    }
}
