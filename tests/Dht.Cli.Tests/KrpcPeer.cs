using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Dht.Protocol;
using Dht.Protocol.Krpc;

namespace Dht.Cli.Tests;

/// <summary>
/// A KRPC client on a UDP socket of its own (127.0.0.1), for talking to a <c>dht</c> process datagram by
/// datagram: several queries may be outstanding, each answer (a response or an error) completes the query with
/// its transaction id. Queries say they come from a read-only node (BEP 43), so the node never queries back.
/// </summary>
internal sealed class KrpcPeer : IDisposable
{
    private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly ConcurrentDictionary<ushort, TaskCompletionSource<KrpcMessage>> _waiting = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiver;
    private int _nextTransaction;

    public KrpcPeer() => _receiver = Task.Run(ReceiveAsync);

    public NodeId Id { get; } = NodeId.CreateRandom();

    /// <summary>Sends a query; the task completes with its answer.</summary>
    /// <param name="node">The node asked.</param>
    /// <param name="method">The query's method.</param>
    /// <param name="arguments">Sets the arguments beyond <c>id</c> (and their <see cref="KrpcFields"/> flags).</param>
    /// <param name="cancellationToken">Gives up waiting (the test's bound).</param>
    public async Task<KrpcMessage> AskAsync(IPEndPoint node, KrpcMethod method, Action<KrpcMessage>? arguments, CancellationToken cancellationToken)
    {
        ushort transaction = (ushort)Interlocked.Increment(ref _nextTransaction);
        var query = new KrpcMessage
        {
            Kind = KrpcMessageKind.Query,
            Method = method,
            TransactionId = new[] { (byte)(transaction >> 8), (byte)transaction },
            Id = Id,
            Fields = KrpcFields.Id,
            ReadOnly = true,
        };
        arguments?.Invoke(query);
        var datagram = new ArrayBufferWriter<byte>();
        KrpcWriter.Write(query, datagram);
        var answer = new TaskCompletionSource<KrpcMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[transaction] = answer;
        try
        {
            await _udp.SendAsync(datagram.WrittenMemory, node, cancellationToken);
            return await answer.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            _waiting.TryRemove(transaction, out _);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _udp.Dispose();
        _receiver.Wait();
        _stop.Dispose();
    }

    private async Task ReceiveAsync()
    {
        while (true)
        {
            UdpReceiveResult received;
            try
            {
                received = await _udp.ReceiveAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || (e is SocketException && _stop.IsCancellationRequested))
            {
                return;
            }

            var message = new KrpcMessage();
            if (KrpcParser.Parse(received.Buffer, message).IsOk
                && message.Kind is (KrpcMessageKind.Response or KrpcMessageKind.Error)
                && message.TransactionId.Length == 2
                && _waiting.TryGetValue((ushort)((message.TransactionId.Span[0] << 8) | message.TransactionId.Span[1]), out var waiting))
            {
                waiting.TrySetResult(message);
            }
        }
    }
}
