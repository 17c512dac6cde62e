using System.Buffers;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.NamedValues;
using Dht.Simulation;

namespace Dht.Tests.Security;

/// <summary>
/// One address that keeps changing its node id, at a node that holds many values: each new id used to count
/// as a new contact, walk every held value and draw a find_value back. It must gain nothing: no hand-over
/// work and no find_value or store until a contact has answered one of our queries, and then once.
/// </summary>
public sealed class IdChurnTests : IAsyncLifetime
{
    private const int HeldValues = 2000;
    private const int Ids = 1000;

    private static readonly NetEndPoint Churner = NetEndPoint.Parse("203.0.113.7:6881");

    private readonly RecordingTransport _transport = new();
    private readonly ManualTimeProvider _clock = new();
    private readonly DhtNode _node;
    private readonly Random _random = new(41);

    public IdChurnTests() => _node = new DhtNode(new DhtOptions(), _transport, _clock);

    public async Task InitializeAsync()
    {
        await _node.StartAsync();
        var engine = _node.Engine;
        await engine.Loop.CallAsync(() =>
        {
            var now = _clock.GetUtcNow();
            for (int i = 0; i < HeldValues; i++)
            {
                var stored = engine.NamedValues!.Policy.Put(NodeId.FromKey($"held{i}"), "v"u8, 1, null, NetEndPoint.Parse("198.51.100.1:6881"), now);
                Assert.Equal(Dht.Storage.StoreOutcome.Stored, stored.Outcome);
            }

            return true;
        });
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public void ASilentSourceChurningIds_CausesNoHandOverWork_AndNoFindValueOrStore()
    {
        for (int i = 0; i < Ids; i++)
        {
            _transport.Deliver(Churner, Ping(NodeId.CreateRandom(_random)));
            _clock.Advance(TimeSpan.FromMilliseconds(5));
        }

        Assert.Equal(0, _node.Counters.QueriesSent(NamedValueMethods.FindValue));
        Assert.Equal(0, _node.Counters.QueriesSent(NamedValueMethods.Store));
        Assert.Equal(0, _node.Engine.HandOver.KeysExamined);
    }

    [Fact]
    public void ASourceThatAnswersUnderEachNewId_GetsOneHandOverAtMost_WithinTheBudget()
    {
        for (int i = 0; i < Ids; i++)
        {
            var id = NodeId.CreateRandom(_random);
            int sent = _transport.Sent.Count;
            _transport.Deliver(Churner, Ping(id));
            AnswerQueriesSince(sent, id);
            _clock.Advance(TimeSpan.FromMilliseconds(5));
        }

        var handOver = _node.Engine.HandOver;
        Assert.True(handOver.ContactsServed <= 1, $"{handOver.ContactsServed} contacts were handed values");
        Assert.True(handOver.KeysExamined <= handOver.Budget.Capacity, $"{handOver.KeysExamined} keys examined, budget {handOver.Budget.Capacity}");
        Assert.True(_node.Counters.QueriesSent(NamedValueMethods.FindValue) <= handOver.Budget.Capacity);
    }

    // Answers, under the id it now claims, every query the node sent to the churning address.
    private void AnswerQueriesSince(int from, NodeId id)
    {
        var sent = _transport.Sent.Skip(from).Where(s => s.To == Churner).ToList();
        foreach (var (_, datagram) in sent)
        {
            var query = new KrpcMessage();
            if (!KrpcParser.Parse(datagram, query).IsOk || query.Kind != KrpcMessageKind.Query)
            {
                continue;
            }

            var reply = new KrpcMessage
            {
                Kind = KrpcMessageKind.Response,
                TransactionId = query.TransactionId.ToArray(),
                Id = id,
                ClientVersion = Dht.Engine.NodeIdentity.ClientVersion,
                Fields = KrpcFields.Id | KrpcFields.ClientVersion,
            };
            var buffer = new ArrayBufferWriter<byte>();
            KrpcWriter.Write(reply, buffer);
            _transport.Deliver(Churner, buffer.WrittenSpan);
        }
    }

    private static byte[] Ping(NodeId id)
    {
        var m = new KrpcMessage
        {
            Kind = KrpcMessageKind.Query,
            Method = KrpcMethod.Ping,
            TransactionId = "pp"u8.ToArray(),
            Id = id,
            Fields = KrpcFields.Id,
        };
        var buffer = new ArrayBufferWriter<byte>();
        KrpcWriter.Write(m, buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
