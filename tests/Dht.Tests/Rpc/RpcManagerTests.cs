using Dht.Engine;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Rpc;
using Dht.Transport;

namespace Dht.Tests.Rpc;

public sealed class RpcManagerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly NetEndPoint Peer = NetEndPoint.Parse("127.0.0.2:6881");
    private static readonly NodeId PeerId = NodeId.FromKey("peer");

    private readonly CapturingTransport _transport = new();
    private readonly Recorder _observer = new();
    private readonly Recorder _monitor = new();
    private readonly RpcManager _rpc;

    public RpcManagerTests()
    {
        _rpc = new RpcManager(_transport, _monitor, new NodeCounters(), new SeededRandomSource(new Random(1)),
            TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2), maxPending: 4, DhtEngine.ClientVersion, readOnly: false);
    }

    private PendingQuery? SendPing(NetEndPoint to, NodeId? expected = null, DateTimeOffset? at = null)
    {
        var q = new KrpcMessage { Method = KrpcMethod.Ping, Id = NodeId.FromKey("me") };
        return _rpc.Send(q, to, expected, _observer, at ?? T0);
    }

    private static KrpcMessage Response(ReadOnlySpan<byte> transactionId, NodeId id) => new()
    {
        Kind = KrpcMessageKind.Response,
        TransactionId = transactionId.ToArray(),
        Id = id,
        Fields = KrpcFields.Id,
    };

    [Fact]
    public void Send_WritesAQueryWithAFourByteTransactionIdAndOurClientVersion()
    {
        SendPing(Peer);
        var sent = Assert.Single(_transport.Sent);
        var parsed = new KrpcMessage();
        Assert.True(KrpcParser.Parse(sent.Datagram, parsed).IsOk);
        Assert.Equal(KrpcMethod.Ping, parsed.Method);
        Assert.Equal(4, parsed.TransactionId.Length);
        Assert.Equal("KV"u8.ToArray(), parsed.ClientVersion[..2].ToArray());
        Assert.Equal(Peer, sent.To);
    }

    [Fact]
    public void Response_FromTheQueriedAddress_CompletesTheQuery_AndTellsTheMonitorFirst()
    {
        var pending = SendPing(Peer)!;
        var tx = _transport.LastTransactionId();
        Assert.Same(pending, _rpc.Complete(Response(tx, PeerId), Peer, T0.AddMilliseconds(10)));
        Assert.Equal(["response"], _observer.Events);
        Assert.Equal(["response"], _monitor.Events);
        Assert.Equal(0, _rpc.PendingCount);
    }

    [Fact]
    public void Response_FromAnotherAddress_OrWithAnUnknownTransaction_IsIgnored()
    {
        SendPing(Peer);
        var tx = _transport.LastTransactionId();
        Assert.Null(_rpc.Complete(Response(tx, PeerId), NetEndPoint.Parse("127.0.0.3:6881"), T0));
        Assert.Null(_rpc.Complete(Response([1, 2, 3, 4], PeerId), Peer, T0));
        Assert.Empty(_observer.Events);
        Assert.Equal(1, _rpc.PendingCount);
    }

    [Fact]
    public void Response_WithAnotherIdThanExpected_FailsTheQuery()
    {
        SendPing(Peer, PeerId);
        var tx = _transport.LastTransactionId();
        _rpc.Complete(Response(tx, NodeId.FromKey("impostor")), Peer, T0);
        Assert.Equal(["failure InvalidResponse"], _observer.Events);
    }

    [Fact]
    public void SoftThenHardTimeout_AreReportedInOrder_AtTheirDeadlines()
    {
        SendPing(Peer);
        Assert.Equal(T0.AddMilliseconds(500), _rpc.NextDeadline);
        _rpc.Tick(T0.AddMilliseconds(499));
        Assert.Empty(_observer.Events);
        _rpc.Tick(T0.AddMilliseconds(500));
        Assert.Equal(["soft"], _observer.Events);
        Assert.Equal(T0.AddSeconds(2), _rpc.NextDeadline);
        _rpc.Tick(T0.AddSeconds(2));
        Assert.Equal(["soft", "failure Timeout"], _observer.Events);
        Assert.Null(_rpc.NextDeadline);
    }

    [Fact]
    public void ErrorReply_FailsTheQueryWithItsCode()
    {
        var pending = SendPing(Peer)!;
        var tx = _transport.LastTransactionId();
        var error = new KrpcMessage { Kind = KrpcMessageKind.Error, TransactionId = tx.ToArray(), ErrorCode = 204 };
        _rpc.Complete(error, Peer, T0);
        Assert.Equal(["failure ErrorReply"], _observer.Events);
        Assert.Equal(204, pending.ErrorCode);
    }

    [Fact]
    public void TooManyPending_RefusesAtOnce_WithoutSending()
    {
        for (int i = 0; i < 4; i++)
        {
            Assert.NotNull(SendPing(Peer));
        }

        Assert.Null(SendPing(Peer));
        Assert.Equal(["failure Overloaded"], _observer.Events);
        Assert.Equal(4, _transport.Sent.Count);
    }

    [Fact]
    public void AfterShutdown_PendingQueriesFail_AndNewOnesAreRefused_SoNothingWaitsForever()
    {
        SendPing(Peer);
        _rpc.CancelAll(T0);
        Assert.Equal(["failure Timeout"], _observer.Events);
        Assert.Null(SendPing(Peer));
        Assert.Equal(["failure Timeout", "failure Overloaded"], _observer.Events);
        Assert.Single(_transport.Sent);
    }

    private sealed class Recorder : IQueryObserver
    {
        public List<string> Events { get; } = [];

        public void OnResponse(PendingQuery query, KrpcMessage response, DateTimeOffset now) => Events.Add("response");

        public void OnFailure(PendingQuery query, QueryFailure failure, DateTimeOffset now) => Events.Add($"failure {failure}");

        public void OnSoftTimeout(PendingQuery query, DateTimeOffset now) => Events.Add("soft");
    }

    private sealed class CapturingTransport : IDatagramTransport
    {
        public List<(NetEndPoint To, byte[] Datagram)> Sent { get; } = [];

        public NetEndPoint LocalEndPoint => NetEndPoint.Parse("127.0.0.1:6881");

        public void Start(IDatagramReceiver receiver)
        {
        }

        public void Send(NetEndPoint destination, ReadOnlySpan<byte> datagram) => Sent.Add((destination, datagram.ToArray()));

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        public ReadOnlySpan<byte> LastTransactionId()
        {
            var parsed = new KrpcMessage();
            KrpcParser.Parse(Sent[^1].Datagram, parsed);
            return parsed.TransactionId.Span;
        }
    }
}
