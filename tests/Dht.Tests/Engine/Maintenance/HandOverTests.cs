using System.Buffers;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.NamedValues;
using Dht.Simulation;
using Dht.Tests.Security;

namespace Dht.Tests.Engine.Maintenance;

/// <summary>
/// A node holding values meets a newcomer: it verifies the newcomer with a find_node for its own id, and only on
/// the newcomer's answer hands it the values it is closer to, with a find_value and a store each.
/// </summary>
public sealed class HandOverTests : IAsyncLifetime
{
    private const int HeldValues = 200;

    private static readonly NetEndPoint Newcomer = NetEndPoint.Parse("203.0.113.8:6881");

    private readonly RecordingTransport _transport = new();
    private readonly ManualTimeProvider _clock = new();
    private readonly DhtNode _node;
    private readonly List<NodeId> _held = [];

    public HandOverTests() => _node = new DhtNode(new DhtOptions(), _transport, _clock);

    public async Task InitializeAsync()
    {
        await _node.StartAsync();
        var engine = _node.Engine;
        await engine.Loop.CallAsync(() =>
        {
            for (int i = 0; i < HeldValues; i++)
            {
                var target = NodeId.FromKey($"held{i}");
                _held.Add(target);
                engine.NamedValues!.Policy.Put(target, "v"u8, 1, null, NetEndPoint.Parse("198.51.100.1:6881"), _clock.GetUtcNow());
            }

            return true;
        });
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public void ANewcomerThatOnlyQueried_IsVerifiedWithFindNode_AndHandedNothing()
    {
        var id = NodeId.CreateRandom(new Random(3));

        _transport.Deliver(Newcomer, Query(KrpcMethod.Ping, id, null));

        var sent = SentTo(Newcomer);
        var verify = Assert.Single(sent, q => q.Kind == KrpcMessageKind.Query);
        Assert.Equal(KrpcMethod.FindNode, verify.Method);
        Assert.Equal(_node.Id, verify.Target);
        Assert.Equal(0, _node.Engine.HandOver.KeysExamined);
        Assert.Equal(0, _node.Counters.QueriesSent(NamedValueMethods.FindValue));
    }

    [Fact]
    public void OnItsFirstAnswer_ANewcomerIsHandedExactlyTheValuesItIsCloserTo()
    {
        var id = NodeId.CreateRandom(new Random(4));
        _transport.Deliver(Newcomer, Query(KrpcMethod.Ping, id, null));
        var verify = SentTo(Newcomer).Single(q => q.Kind == KrpcMessageKind.Query);

        Answer(verify, id, token: null);

        // With no other contact, the newcomer is among the k closest for every value it is closer to than we are.
        int closer = _held.Count(t => t.CompareDistance(id, _node.Id) < 0);
        Assert.True(closer is > 0 and < HeldValues);
        Assert.Equal(closer, _node.Engine.HandOver.KeysHandedOver);
        Assert.Equal(1, _node.Engine.HandOver.ContactsServed);

        // One at a time: a find_value for a token, then the store.
        var findValue = SentTo(Newcomer).Last();
        Assert.Equal(NamedValueMethods.FindValue, findValue.Method);
        Assert.True(findValue.Target.CompareDistance(id, _node.Id) < 0);
        Answer(findValue, id, token: "tk"u8.ToArray());
        var store = SentTo(Newcomer).Last();
        Assert.Equal(NamedValueMethods.Store, store.Method);
        Assert.Equal(findValue.Target, store.Target);
        Assert.Equal("tk"u8.ToArray(), store.Token.ToArray());
    }

    [Fact]
    public void ANewcomerThatDoesNotServeTheValues_IsHandedNothing_AndNotRemembered()
    {
        var id = NodeId.CreateRandom(new Random(5));
        _transport.Deliver(Newcomer, Query(KrpcMethod.Ping, id, null));
        var verify = SentTo(Newcomer).Single(q => q.Kind == KrpcMessageKind.Query);

        Answer(verify, id, token: null, Newcomer, clientVersion: "LT01"u8.ToArray());

        Assert.Equal(0, _node.Engine.HandOver.KeysExamined);
        Assert.Equal(0, _node.Engine.HandOver.AddressesRemembered);
    }

    [Fact]
    public void AnAddressHandedValues_IsRememberedForTheCooldownOnly()
    {
        var first = NodeId.CreateRandom(new Random(6));
        _transport.Deliver(Newcomer, Query(KrpcMethod.Ping, first, null));
        Answer(SentTo(Newcomer).Single(q => q.Kind == KrpcMessageKind.Query), first, token: null);
        Assert.Equal(1, _node.Engine.HandOver.AddressesRemembered);

        _clock.Advance(Dht.Engine.Maintenance.HandOver.AddressCooldown);
        var second = NodeId.CreateRandom(new Random(7));
        var secondAddress = NetEndPoint.Parse("203.0.113.9:6881");
        _transport.Deliver(secondAddress, Query(KrpcMethod.Ping, second, null));
        Answer(SentTo(secondAddress).First(q => q.Kind == KrpcMessageKind.Query && q.Method == KrpcMethod.FindNode), second, token: null, secondAddress);

        Assert.Equal(2, _node.Engine.HandOver.ContactsServed);
        Assert.Equal(1, _node.Engine.HandOver.AddressesRemembered);
    }

    private List<KrpcMessage> SentTo(NetEndPoint to) =>
        [.. _transport.Sent.Where(s => s.To == to).Select(s =>
        {
            var m = new KrpcMessage();
            Assert.True(KrpcParser.Parse(s.Datagram, m).IsOk);
            return m;
        })];

    private void Answer(KrpcMessage query, NodeId id, byte[]? token, NetEndPoint? from = null, byte[]? clientVersion = null)
    {
        var reply = new KrpcMessage
        {
            Kind = KrpcMessageKind.Response,
            TransactionId = query.TransactionId.ToArray(),
            Id = id,
            ClientVersion = clientVersion ?? Dht.Engine.NodeIdentity.ClientVersion,
            Fields = KrpcFields.Id | KrpcFields.ClientVersion,
        };
        if (token is not null)
        {
            reply.Token = token;
            reply.Fields |= KrpcFields.Token;
        }

        var buffer = new ArrayBufferWriter<byte>();
        KrpcWriter.Write(reply, buffer);
        _transport.Deliver(from ?? Newcomer, buffer.WrittenSpan);
    }

    private static byte[] Query(KrpcMethod method, NodeId id, NodeId? target)
    {
        var m = new KrpcMessage { Kind = KrpcMessageKind.Query, Method = method, TransactionId = "hq"u8.ToArray(), Id = id, Fields = KrpcFields.Id };
        if (target is { } t)
        {
            m.Target = t;
            m.Fields |= KrpcFields.Target;
        }

        var buffer = new ArrayBufferWriter<byte>();
        KrpcWriter.Write(m, buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
