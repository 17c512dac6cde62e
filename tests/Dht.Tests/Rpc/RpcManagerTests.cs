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
    public void Answers_TeachTheNodeWideWindow_WhichSetsTheTimeoutsOfNodesNeverMeasured()
    {
        for (int i = 0; i < 20; i++)
        {
            SendPing(Peer, PeerId, T0);
            _rpc.Complete(Response(_transport.LastTransactionId(), PeerId), Peer, T0.AddMilliseconds(100));
        }

        Assert.Equal(TimeSpan.FromMilliseconds(100), _rpc.RecentRoundTrips.Max);
        var other = NetEndPoint.Parse("127.0.0.9:6881");
        var pending = SendPing(other, NodeId.FromKey("other"), T0)!;
        Assert.Equal(T0.AddMilliseconds(150), pending.SoftDeadline);
        Assert.Equal(T0.AddMilliseconds(500), pending.HardDeadline);
        Assert.Equal(T0.AddMilliseconds(150), _rpc.NextDeadline);
    }

    [Fact]
    public void AContactsOwnEstimate_SetsItsQueriesTimeouts()
    {
        var roundTrips = new FixedRoundTrips();
        roundTrips.Estimates[PeerId] = Estimate(300);
        var rpc = new RpcManager(_transport, _monitor, new NodeCounters(), new SeededRandomSource(new Random(1)),
            TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2), maxPending: 4, DhtEngine.ClientVersion, readOnly: false, roundTrips);

        var pending = rpc.Send(new KrpcMessage { Method = KrpcMethod.Ping, Id = NodeId.FromKey("me") }, Peer, PeerId, _observer, T0)!;

        Assert.Equal(T0.AddMilliseconds(350), pending.SoftDeadline);
        Assert.Equal(T0.AddMilliseconds(700), pending.HardDeadline);
        Assert.Equal(new QueryTimeouts(TimeSpan.FromMilliseconds(350), TimeSpan.FromMilliseconds(700)), rpc.TimeoutsFor(new NodeInfo(PeerId, Peer)));
    }

    [Fact]
    public void Timeouts_FireInDeadlineOrder_NotInSendingOrder()
    {
        var roundTrips = new FixedRoundTrips();
        var slow = new NodeInfo(NodeId.FromKey("slow"), NetEndPoint.Parse("127.0.0.3:6881"));
        var fast = new NodeInfo(NodeId.FromKey("fast"), NetEndPoint.Parse("127.0.0.4:6881"));
        roundTrips.Estimates[slow.Id] = Estimate(400); // soft 450, hard 900
        roundTrips.Estimates[fast.Id] = Estimate(20); // soft 70, hard 500
        var observer = new Recorder();
        var rpc = new RpcManager(_transport, _monitor, new NodeCounters(), new SeededRandomSource(new Random(1)),
            TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2), maxPending: 4, DhtEngine.ClientVersion, readOnly: false, roundTrips);
        var ping = new KrpcMessage { Method = KrpcMethod.Ping, Id = NodeId.FromKey("me") };
        rpc.Send(ping, slow.EndPoint, slow.Id, observer, T0);
        rpc.Send(ping, fast.EndPoint, fast.Id, observer, T0.AddMilliseconds(10));

        var seen = new List<(DateTimeOffset, string)>();
        while (rpc.NextDeadline is { } due)
        {
            int before = observer.Events.Count;
            rpc.Tick(due);
            seen.AddRange(observer.Events.Skip(before).Select(e => (due, e)));
        }

        Assert.Equal(
            [
                (T0.AddMilliseconds(80), "soft"), (T0.AddMilliseconds(450), "soft"),
                (T0.AddMilliseconds(510), "failure Timeout"), (T0.AddMilliseconds(900), "failure Timeout"),
            ],
            seen);
    }

    [Fact]
    public void ASoftTimeout_MakesTheNodeAvoidedUntilItsHardDeadline_AndAHardTimeoutForAWhile()
    {
        var pending = SendPing(Peer, PeerId)!;
        var node = new NodeInfo(PeerId, Peer);
        Assert.False(_rpc.IsAvoided(node, T0));

        _rpc.Tick(pending.SoftDeadline);
        Assert.True(_rpc.IsAvoided(node, pending.SoftDeadline));
        Assert.Equal(0, _rpc.Failures.FailuresOf(node));

        _rpc.Tick(pending.HardDeadline);
        Assert.Equal(1, _rpc.Failures.FailuresOf(node));
        Assert.True(_rpc.IsAvoided(node, pending.HardDeadline.AddSeconds(59)));
        Assert.False(_rpc.IsAvoided(node, pending.HardDeadline.AddMinutes(1)));
    }

    [Fact]
    public void ALateAnswerAfterTheSoftTimeout_ClearsTheNode()
    {
        var pending = SendPing(Peer, PeerId)!;
        var tx = _transport.LastTransactionId().ToArray();
        _rpc.Tick(pending.SoftDeadline);

        _rpc.Complete(Response(tx, PeerId), Peer, pending.SoftDeadline.AddMilliseconds(100));

        Assert.False(_rpc.IsAvoided(new NodeInfo(PeerId, Peer), pending.SoftDeadline.AddMilliseconds(100)));
        Assert.Equal(["soft", "response"], _observer.Events);
    }

    [Fact]
    public void AnErrorReply_CountsAsAnAnswer_ForTheMemoryOfFailures()
    {
        var node = new NodeInfo(PeerId, Peer);
        _rpc.Failures.Failed(node, T0);
        SendPing(Peer, PeerId);
        var error = new KrpcMessage { Kind = KrpcMessageKind.Error, TransactionId = _transport.LastTransactionId().ToArray(), ErrorCode = 204 };

        _rpc.Complete(error, Peer, T0.AddMilliseconds(30));

        Assert.False(_rpc.IsAvoided(node, T0.AddMilliseconds(30)));
    }

    [Fact]
    public void AnAnswerFromAnotherIdThanExpected_CountsAsAFailureOfTheExpectedOne()
    {
        SendPing(Peer, PeerId);

        _rpc.Complete(Response(_transport.LastTransactionId(), NodeId.FromKey("impostor")), Peer, T0);

        Assert.True(_rpc.IsAvoided(new NodeInfo(PeerId, Peer), T0));
    }

    [Fact]
    public void NextDeadline_StaysCheapAndCorrect_WithManyQueriesAnsweredOutOfOrder()
    {
        var rpc = new RpcManager(_transport, _monitor, new NodeCounters(), new SeededRandomSource(new Random(1)),
            TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2), maxPending: 100_000, DhtEngine.ClientVersion, readOnly: false);
        var ping = new KrpcMessage { Method = KrpcMethod.Ping, Id = NodeId.FromKey("me") };
        var sent = new List<(PendingQuery Query, byte[] Tx)>();
        for (int i = 0; i < 50_000; i++)
        {
            var q = rpc.Send(ping, Peer, null, _observer, T0.AddTicks(i))!;
            sent.Add((q, _transport.LastTransactionId().ToArray()));
        }

        // Answer every query but the last, newest first: each NextDeadline pops what was answered, once.
        for (int i = sent.Count - 2; i >= 0; i--)
        {
            rpc.Complete(Response(sent[i].Tx, PeerId), Peer, T0.AddMilliseconds(1));
        }

        Assert.Equal(sent[^1].Query.SoftDeadline, rpc.NextDeadline);
        Assert.Equal(1, rpc.PendingCount);
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

    private static RoundTripEstimate Estimate(double ms)
    {
        var estimate = default(RoundTripEstimate);
        for (int i = 0; i < 50; i++)
        {
            estimate.Add(TimeSpan.FromMilliseconds(ms));
        }

        return estimate;
    }

    private sealed class FixedRoundTrips : IRoundTripSource
    {
        public Dictionary<NodeId, RoundTripEstimate> Estimates { get; } = [];

        public RoundTripEstimate RoundTripOf(NodeId id, NetEndPoint endPoint) => Estimates.GetValueOrDefault(id);
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
