using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Dht.Protocol;
using Dht.Protocol.Krpc;

namespace Dht.TestSupport.Engine;

/// <summary>
/// A hand-driven KRPC peer on 127.0.0.1: sends exactly the bytes a test builds and returns the decoded
/// answer, so a test can assert what the node under test replied. Queries the node sends it meanwhile (it pings
/// a new contact to verify it) are answered, as a live peer would, unless <see cref="AnswersQueries"/> is off.
/// </summary>
internal sealed class ScriptedPeer(string name = "scripted-peer") : IDisposable
{
    private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));

    public NodeId Id { get; } = NodeId.FromKey(name);

    public NetEndPoint EndPoint => NetEndPoint.FromIPEndPoint((IPEndPoint)_udp.Client.LocalEndPoint!);

    /// <summary>Whether the node's own queries to this peer get an answer (a bare response with our id).</summary>
    public bool AnswersQueries { get; init; } = true;

    /// <summary>Sends raw bytes and waits (bounded) for one datagram back.</summary>
    public async Task<(KrpcParseResult Result, KrpcMessage Message)> ExchangeAsync(NetEndPoint node, byte[] datagram, CancellationToken ct)
    {
        var (_, result, message) = await ExchangeRawAsync(node, datagram, ct);
        return (result, message);
    }

    /// <summary>
    /// Like <see cref="ExchangeAsync"/>, and also returns the answer's bytes, for asserting on keys that the
    /// decoded message does not keep (a key that must be absent, for instance).
    /// </summary>
    public async Task<(byte[] Datagram, KrpcParseResult Result, KrpcMessage Message)> ExchangeRawAsync(NetEndPoint node, byte[] datagram, CancellationToken ct)
    {
        await _udp.SendAsync(datagram, node.ToIPEndPoint(), ct);
        while (true)
        {
            var received = await _udp.ReceiveAsync(ct);
            var message = new KrpcMessage();
            var result = KrpcParser.Parse(received.Buffer, message);
            if (!result.IsOk || message.Kind != KrpcMessageKind.Query)
            {
                return (received.Buffer, result, message);
            }

            if (AnswersQueries)
            {
                var answer = new KrpcMessage
                {
                    Kind = KrpcMessageKind.Response,
                    TransactionId = message.TransactionId.ToArray(),
                    Id = Id,
                    Fields = KrpcFields.Id,
                };
                var buffer = new ArrayBufferWriter<byte>();
                KrpcWriter.Write(answer, buffer);
                await _udp.SendAsync(buffer.WrittenMemory, received.RemoteEndPoint, ct);
            }
        }
    }

    /// <summary>Encodes a query with our id and the given transaction id.</summary>
    public byte[] Query(KrpcMethod method, Action<KrpcMessage>? arguments = null, string transaction = "aa")
    {
        var m = new KrpcMessage
        {
            Kind = KrpcMessageKind.Query,
            Method = method,
            TransactionId = System.Text.Encoding.ASCII.GetBytes(transaction),
            Id = Id,
            Fields = KrpcFields.Id,
        };
        arguments?.Invoke(m);
        var buffer = new ArrayBufferWriter<byte>();
        KrpcWriter.Write(m, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public void Dispose() => _udp.Dispose();
}
