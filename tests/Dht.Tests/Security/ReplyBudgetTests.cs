using System.Buffers;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Simulation;

namespace Dht.Tests.Security;

/// <summary>
/// A source with a spoofed address (the victim's) asks for the largest answer a node gives: a BEP 44 get of
/// a stored 1000-byte item, about 15 times the query's size. The node must not send the victim more than the
/// victim "sent" plus the per-source reply budget.
/// </summary>
public sealed class ReplyBudgetTests : IAsyncLifetime
{
    private static readonly NetEndPoint Owner = NetEndPoint.Parse("198.51.100.20:6881");
    private static readonly NetEndPoint Victim = NetEndPoint.Parse("203.0.113.50:80");
    private static readonly NetEndPoint Bystander = NetEndPoint.Parse("203.0.113.51:6881");

    private readonly RecordingTransport _transport = new();
    private readonly ManualTimeProvider _clock = new();
    private readonly DhtOptions _options = new();
    private readonly DhtNode _node;
    private readonly NodeId _querier = NodeId.FromKey("querier");
    private NodeId _target;

    public ReplyBudgetTests() => _node = new DhtNode(_options, _transport, _clock);

    public async Task InitializeAsync()
    {
        await _node.StartAsync();
        byte[] value = new byte[1000];
        "996:"u8.CopyTo(value);
        value.AsSpan(4).Fill((byte)'x');
        _target = NodeId.Sha1(value);
        var token = _transport.Exchange(Owner, Query(KrpcMethod.Get, m => m.Target = _target)).Token.ToArray();
        var stored = _transport.Exchange(Owner, Query(KrpcMethod.Put, m =>
        {
            m.Token = token;
            m.Value = value;
        }));
        Assert.Equal(KrpcMessageKind.Response, stored.Kind);
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public void GetsFromASpoofedSource_AreAnsweredWithAtMostWhatItSentPlusTheBudget()
    {
        byte[] get = Query(KrpcMethod.Get, m => m.Target = _target);
        long queryBytes = 0, replyBytes = 0;
        int answered = 0;
        for (int i = 0; i < 200; i++)
        {
            queryBytes += get.Length;
            foreach (byte[] reply in _transport.Deliver(Victim, get))
            {
                replyBytes += reply.Length;
                answered++;
            }
        }

        long budget = (long)_options.MaxReplyBytesPerSecondPerIp * 3;
        Assert.True(answered > 0, "the first gets are answered");
        Assert.True(replyBytes <= queryBytes + budget, $"{replyBytes} reply bytes for {queryBytes} query bytes ({answered} of 200 answered)");
        Assert.Equal(200 - answered, _node.Counters.RepliesOverBudget);
    }

    [Fact]
    public void ASpentBudget_RefillsAtTheConfiguredRate_AndLeavesOtherSourcesAlone()
    {
        byte[] get = Query(KrpcMethod.Get, m => m.Target = _target);
        int replySize = _transport.Exchange(Victim, get).Value.Length;
        while (_transport.Deliver(Victim, get).Count > 0)
        {
        }

        Assert.Single(_transport.Deliver(Bystander, get));

        _clock.Advance(TimeSpan.FromSeconds(1));
        int answeredAfterASecond = 0;
        while (_transport.Deliver(Victim, get).Count > 0)
        {
            answeredAfterASecond++;
        }

        // A second of the rate, plus the queries' own bytes, buys this many replies of about 1,100 bytes.
        Assert.True(replySize >= 1000);
        Assert.InRange(answeredAfterASecond, 1, (_options.MaxReplyBytesPerSecondPerIp / 1000) + 1);
    }

    private byte[] Query(KrpcMethod method, Action<KrpcMessage> arguments)
    {
        var m = new KrpcMessage
        {
            Kind = KrpcMessageKind.Query,
            Method = method,
            TransactionId = "bb"u8.ToArray(),
            Id = _querier,
            Fields = KrpcFields.Id,
        };
        arguments(m);
        m.Fields |= method switch
        {
            KrpcMethod.Get => KrpcFields.Target,
            _ => KrpcFields.Token | KrpcFields.Value,
        };
        var buffer = new ArrayBufferWriter<byte>();
        KrpcWriter.Write(m, buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
