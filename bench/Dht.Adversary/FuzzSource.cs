using System.Net;
using System.Net.Sockets;
using Dht.Protocol;

namespace Dht.Adversary;

/// <summary>One fuzzing source address: its socket, its node id, and the write token the node last gave it.</summary>
internal sealed class FuzzSource(Socket socket, NodeId id)
{
    public Socket Socket { get; } = socket;

    public IPEndPoint EndPoint { get; } = (IPEndPoint)socket.LocalEndPoint!;

    public NodeId Id { get; } = id;

    /// <summary>Set by the receiving side from any answer that carries a token; read by the generator.</summary>
    public volatile byte[]? Token;
}
