using Dht.Engine;
using Dht.Engine.Dispatch;
using Dht.Engine.Loop;
using Dht.Engine.Network;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.NamedValues;
using Dht.Simulation;
using Dht.Tokens;
using Microsoft.Extensions.Logging;

namespace Dht.Tests.Engine.Dispatch;

/// <summary>The dispatcher: answers now, answers with an error, or answers later without the loop waiting.</summary>
public sealed class QueryDispatcherTests
{
    private static readonly NetEndPoint Peer = NetEndPoint.FromIPv4(0x0A000007, 7000);

    private readonly SimulationClock _clock = new();
    private readonly CapturingTransport _transport = new() { Keep = true };
    private readonly NodeCounters _counters = new();
    private readonly RecordingLogger _logger = new();
    private readonly FakeHandler _handler = new();
    private readonly NodeFamily _family;

    public QueryDispatcherTests()
    {
        var options = new DhtOptions();
        var random = new SeededRandomSource(new Random(3));
        var loop = new HostedLoop(_clock.SynchronizationContext, e => throw e);
        var timer = new NodeTimer(_clock, loop, () => DateTimeOffset.MaxValue, _ => { });
        var dispatcher = new QueryDispatcher(
            NodeId.FromKey("me"), readOnly: false, new RateLimiter(1000, TimeSpan.FromMinutes(1), 100, 1_000_000, limitLoopback: true), _counters,
            new QueryContext(new TokenManager(), random, 8), _logger);
        dispatcher.Register(_handler);
        _family = new NodeFamily(NodeId.FromKey("me"), options, _transport, _clock, random, _counters, loop, timer, dispatcher);
        loop.InvokeAsync(() =>
        {
            _family.Start();
            return Task.FromResult(0);
        });
    }

    private static byte[] Store(string transaction)
    {
        var m = new KrpcMessage
        {
            Kind = KrpcMessageKind.Query,
            Method = NamedValueMethods.Store,
            TransactionId = System.Text.Encoding.ASCII.GetBytes(transaction),
            Id = NodeId.FromKey("peer"),
            Target = NodeId.FromKey("key"),
            Token = "tok"u8.ToArray(),
            Value = "1:v"u8.ToArray(),
            Seq = 1,
            Fields = KrpcFields.Id | KrpcFields.Target | KrpcFields.Token | KrpcFields.Value | KrpcFields.Seq,
        };
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        KrpcWriter.Write(m, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    // The node's answers, in order; its own queries (it pings a new contact to verify it) left out.
    private List<KrpcMessage> Answers() => _transport.Sent.Select(s =>
    {
        var message = new KrpcMessage();
        Assert.True(KrpcParser.Parse(s.Datagram, message).IsOk);
        return message;
    }).Where(m => m.Kind != KrpcMessageKind.Query).ToList();

    private KrpcMessage Answer(int index) => Answers()[index];

    [Fact]
    public void AnAnswerThatWaits_IsSentWhenItsTaskCompletes_AndTheLoopAnswersOthersMeanwhile()
    {
        var durable = new TaskCompletionSource();
        _handler.Next = QueryAnswer.When(durable.Task);
        _transport.Deliver(Peer, Store("s1"));
        Assert.Empty(Answers());

        // The loop is not waiting: the next query is answered at once.
        _handler.Next = QueryAnswer.Reply;
        _transport.Deliver(Peer, Store("s2"));
        Assert.Equal("s2"u8.ToArray(), Answer(0).TransactionId.ToArray());

        durable.SetResult(); // from outside the loop: the answer is sent on it
        _clock.RunUntilIdle();
        var late = Answer(1);
        Assert.Equal(KrpcMessageKind.Response, late.Kind);
        Assert.Equal("s1"u8.ToArray(), late.TransactionId.ToArray());
        Assert.Equal(NodeId.FromKey("me"), late.Id);
        Assert.Equal(0, _counters.StorageFailures);
    }

    [Fact]
    public void AnAnswerWhoseTaskFaults_Is202_LoggedAndCounted()
    {
        var durable = new TaskCompletionSource();
        _handler.Next = QueryAnswer.When(durable.Task);
        _transport.Deliver(Peer, Store("s1"));
        durable.SetException(new IOException("database is locked"));
        _clock.RunUntilIdle();

        var error = Answer(0);
        Assert.Equal(KrpcMessageKind.Error, error.Kind);
        Assert.Equal(KrpcErrorCode.Server, error.ErrorCode);
        Assert.Equal("storage unavailable"u8.ToArray(), error.ErrorMessage.ToArray());
        Assert.Equal("s1"u8.ToArray(), error.TransactionId.ToArray());
        Assert.Equal(1, _counters.StorageFailures);
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Warning && e.Exception is IOException);
    }

    [Fact]
    public void AnAnswerWaitingForAnAlreadyCompletedTask_IsSentAtOnce()
    {
        _handler.Next = QueryAnswer.When(Task.CompletedTask);
        _transport.Deliver(Peer, Store("s1"));
        Assert.Equal(KrpcMessageKind.Response, Answer(0).Kind);

        _handler.Next = QueryAnswer.When(Task.FromException(new IOException("disk full")));
        _transport.Deliver(Peer, Store("s2"));
        Assert.Equal(KrpcErrorCode.Server, Answer(1).ErrorCode);
    }

    [Fact]
    public void AnErrorAnswer_IsSentWithItsCode()
    {
        _handler.Next = QueryAnswer.Error(KrpcErrorCode.SequenceTooOld, "seq older than stored");
        _transport.Deliver(Peer, Store("s1"));
        var error = Answer(0);
        Assert.Equal(KrpcErrorCode.SequenceTooOld, error.ErrorCode);
        Assert.Equal(1, _counters.ErrorsSent);
    }

    [Fact]
    public void AQueryNoHandlerServes_Is204()
    {
        var q = new KrpcMessage
        {
            Kind = KrpcMessageKind.Query,
            Method = KrpcMethod.Ping,
            TransactionId = "p1"u8.ToArray(),
            Id = NodeId.FromKey("peer"),
            Fields = KrpcFields.Id,
        };
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        KrpcWriter.Write(q, buffer);
        _transport.Deliver(Peer, buffer.WrittenSpan);
        Assert.Equal(KrpcErrorCode.MethodUnknown, Answer(0).ErrorCode);
    }

    private sealed class FakeHandler : IQueryHandler
    {
        public QueryAnswer Next { get; set; } = QueryAnswer.Reply;

        public IReadOnlyList<KrpcMethod> Methods { get; } = [NamedValueMethods.Store];

        public QueryAnswer Handle(IQueryContext context, KrpcMessage query, KrpcMessage reply) => Next;
    }

    private sealed class RecordingLogger : ILogger
    {
        public List<(LogLevel Level, Exception? Exception)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, exception));
    }
}
