// Every datagram a node receives goes through here, on the node's loop: it is parsed and validated once
// (KrpcParser), answers to our queries go to the RPC manager of the family they came in on, and queries go to
// the handler of their method, whose answer is written back at once — or later, when the handler's answer
// waits for a durable write: the loop never waits, and a write that fails is answered with error 202.
// Every query and every answer passes the source's rate limit and reply-byte budget (RateLimiter).
//
// Departure from BEP 5: BEP 43 read-only nodes answer nothing; every answer carries BEP 42's "ip" (the
// requester's address as we see it) and our client version.
using System.Buffers;
using Dht.Engine.Network;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Microsoft.Extensions.Logging;

namespace Dht.Engine.Dispatch;

/// <summary>Parses datagrams, hands queries to their handlers, and sends the answers.</summary>
internal sealed partial class QueryDispatcher(
    NodeId localId, bool readOnly, RateLimiter rateLimiter, NodeCounters counters, QueryContext context, ILogger logger)
{
    private readonly ILogger _logger = logger;
    private readonly KrpcMessage _incoming = new();
    private readonly KrpcMessage _reply = new();
    private readonly ArrayBufferWriter<byte> _replyBuffer = new(1500);
    private readonly byte[] _errorScratch = new byte[KrpcParser.MaxTransactionIdLength + (128 * 3)];
    private readonly byte[] _addressScratch = new byte[CompactEncoding.PeerV6Size];

    // By method id, only as long as the highest one registered: a simulation holds thousands of dispatchers.
    private IQueryHandler?[] _handlers = [];

    /// <summary>Makes <paramref name="handler"/> answer its methods (one handler per method).</summary>
    public void Register(IQueryHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        foreach (var method in handler.Methods)
        {
            if ((int)method >= _handlers.Length)
            {
                Array.Resize(ref _handlers, (int)method + 1);
            }

            if (_handlers[(int)method] is not null)
            {
                throw new InvalidOperationException($"Two handlers for {KrpcMethods.DisplayName(method)}.");
            }

            _handlers[(int)method] = handler;
        }
    }

    /// <summary>Handles one datagram that arrived on <paramref name="family"/>. Call on the loop.</summary>
    /// <param name="family">The family it arrived on: its routing table and RPC manager, its socket for the answer.</param>
    /// <param name="source">The sender.</param>
    /// <param name="datagram">The datagram (cut at <see cref="NodeFamily.MaxDatagramSize"/>).</param>
    /// <param name="receivedLength">Its length as received.</param>
    /// <param name="now">The time it is handled at.</param>
    public void Dispatch(NodeFamily family, NetEndPoint source, ReadOnlyMemory<byte> datagram, int receivedLength, DateTimeOffset now)
    {
        counters.DatagramsReceived++;
        if (receivedLength > NodeFamily.MaxDatagramSize)
        {
            counters.InvalidMessages++;
            return;
        }

        var message = _incoming;
        var parsed = KrpcParser.Parse(datagram, message);
        if (!parsed.IsOk)
        {
            counters.InvalidMessages++;
            LogInvalid(source, parsed.Reason ?? "invalid");

            // Only a query with a transaction id is answered: never a datagram without one (a reflector's
            // favourite), never a response or an error (no ping-pong between two confused nodes).
            if (KrpcParser.IsAnswerable(message))
            {
                int code = parsed.Status == KrpcParseStatus.MethodUnknown ? KrpcErrorCode.MethodUnknown : KrpcErrorCode.Protocol;
                if (rateLimiter.Allow(source, receivedLength, now))
                {
                    SendError(family, source, message.TransactionId.Span, code, parsed.Reason ?? "invalid message", now);
                }
            }

            return;
        }

        switch (message.Kind)
        {
            case KrpcMessageKind.Query:
                HandleQuery(family, source, message, receivedLength, now);
                break;
            case KrpcMessageKind.Response:
            case KrpcMessageKind.Error:
                family.OnAnswer(message, source, now);
                break;
        }
    }

    private void HandleQuery(NodeFamily family, NetEndPoint source, KrpcMessage query, int queryBytes, DateTimeOffset now)
    {
        if (readOnly)
        {
            // BEP 43: read-only nodes do not answer queries.
            return;
        }

        if (!rateLimiter.Allow(source, queryBytes, now))
        {
            counters.RateLimited++;
            return;
        }

        counters.QueriesReceivedByMethod[(int)query.Method]++;
        family.OnQueryFrom(query, source, now);
        if ((int)query.Method >= _handlers.Length || _handlers[(int)query.Method] is not { } handler)
        {
            SendError(family, source, query.TransactionId.Span, KrpcErrorCode.MethodUnknown, "method unknown", now);
            return;
        }

        var r = _reply;
        r.Reset();
        r.Kind = KrpcMessageKind.Response;
        r.Method = query.Method;
        r.TransactionId = query.TransactionId;
        r.Id = localId;
        r.ClientVersion = NodeIdentity.ClientVersion;
        int n = CompactEncoding.WritePeer(source, _addressScratch);
        r.ExternalAddress = _addressScratch.AsMemory(0, n);
        r.Fields = KrpcFields.Id | KrpcFields.ClientVersion | KrpcFields.ExternalAddress;
        context.Reset(family, source, query.Id, now);
        var answer = handler.Handle(context, query, r);
        if (answer.IsError)
        {
            SendError(family, source, query.TransactionId.Span, answer.ErrorCode, answer.ErrorMessage, now);
            return;
        }

        _replyBuffer.ResetWrittenCount();
        KrpcWriter.Write(r, _replyBuffer);
        if (answer.IsLater && !answer.Pending.IsCompletedSuccessfully)
        {
            if (answer.Pending.IsCompleted)
            {
                StorageFailed(family, source, query.TransactionId.Span, answer.Pending.Exception, now);
                return;
            }

            // The reply is final but for the outcome: keep its bytes (and the transaction id, for an error).
            _ = AnswerLaterAsync(family, source, _replyBuffer.WrittenSpan.ToArray(), query.TransactionId.ToArray(), answer.Pending);
            return;
        }

        Send(family, source, _replyBuffer.WrittenSpan, now);
    }

    private async Task AnswerLaterAsync(NodeFamily family, NetEndPoint source, byte[] reply, byte[] transactionId, Task pending)
    {
        try
        {
            await pending.ConfigureAwait(true);
        }
#pragma warning disable CA1031 // Not swallowed: logged, counted, and answered with error 202.
        catch (Exception e)
#pragma warning restore CA1031
        {
            if (!family.IsClosed)
            {
                StorageFailed(family, source, transactionId, e, family.Now);
            }

            return;
        }

        if (!family.IsClosed)
        {
            Send(family, source, reply, family.Now);
        }
    }

    private void StorageFailed(NodeFamily family, NetEndPoint source, ReadOnlySpan<byte> transactionId, Exception? failure, DateTimeOffset now)
    {
        counters.StorageFailures++;
        LogStorageFailed(failure?.GetBaseException(), source);
        SendError(family, source, transactionId, KrpcErrorCode.Server, "storage unavailable", now);
    }

    /// <summary>Sends an answer if the destination's reply-byte budget allows it; false (counted) if not.</summary>
    private bool Send(NodeFamily family, NetEndPoint destination, ReadOnlySpan<byte> datagram, DateTimeOffset now)
    {
        if (!rateLimiter.TrySpendReply(destination, datagram.Length, now))
        {
            counters.RepliesOverBudget++;
            return false;
        }

        family.Transport.Send(destination, datagram);
        counters.DatagramsSent++;
        return true;
    }

    private void SendError(NodeFamily family, NetEndPoint destination, ReadOnlySpan<byte> transactionId, int code, string text, DateTimeOffset now)
    {
        var e = _reply;
        e.Reset();
        e.Kind = KrpcMessageKind.Error;
        // Both parts are copied into one scratch buffer: the transaction id may slice the receive buffer, and
        // error replies must not allocate (they answer floods of garbage).
        transactionId.CopyTo(_errorScratch);
        int messageLength = System.Text.Encoding.UTF8.GetBytes(
            text.AsSpan(0, Math.Min(text.Length, 128)), _errorScratch.AsSpan(transactionId.Length));
        e.TransactionId = _errorScratch.AsMemory(0, transactionId.Length);
        e.ErrorCode = code;
        e.ErrorMessage = _errorScratch.AsMemory(transactionId.Length, messageLength);
        e.ClientVersion = NodeIdentity.ClientVersion;
        e.Fields = KrpcFields.ClientVersion;
        _replyBuffer.ResetWrittenCount();
        KrpcWriter.Write(e, _replyBuffer);
        if (Send(family, destination, _replyBuffer.WrittenSpan, now))
        {
            counters.ErrorsSent++;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Invalid message from {Source}: {Reason}")]
    private partial void LogInvalid(NetEndPoint source, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A store from {Source} could not be made durable; answered with error 202")]
    private partial void LogStorageFailed(Exception? exception, NetEndPoint source);
}
