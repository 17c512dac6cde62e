using System.Text;
using Dht.Crypto;
using Dht.Engine.Items;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Storage;

namespace Dht.Tests.Engine.Items;

/// <summary>The BEP 44 handler: what get and put answer, error codes included.</summary>
public sealed class ItemHandlerTests
{
    private static readonly Ed25519KeyPair Key = Ed25519KeyPair.FromSeed(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private static readonly byte[] Salt = "salt"u8.ToArray();

    private readonly ItemPolicy _policy = new(new InMemoryItemStore(), NodeId.Zero);
    private readonly FakeQueryContext _context = new();
    private readonly ItemHandler _handler;

    public ItemHandlerTests() => _handler = new ItemHandler(_policy);

    private static byte[] Encoded(string text) => Encoding.ASCII.GetBytes($"{text.Length}:{text}");

    private static KrpcMessage Query(KrpcMethod method, Action<KrpcMessage> arguments)
    {
        var q = new KrpcMessage { Kind = KrpcMessageKind.Query, Method = method, Id = NodeId.FromKey("asker"), Fields = KrpcFields.Id };
        arguments(q);
        return q;
    }

    private static KrpcMessage Put(byte[] value, long? seq = null, byte[]? token = null, long? cas = null) => Query(KrpcMethod.Put, q =>
    {
        q.Token = token ?? FakeQueryContext.GoodToken;
        q.Value = value;
        q.Fields |= KrpcFields.Token | KrpcFields.Value;
        if (seq is { } s)
        {
            q.Key = Key.PublicKey;
            q.Salt = Salt;
            q.Seq = s;
            q.Signature = Bep44.Sign(Key, Salt, s, value);
            q.Fields |= KrpcFields.Key | KrpcFields.Salt | KrpcFields.Seq | KrpcFields.Signature;
        }

        if (cas is { } c)
        {
            q.Cas = c;
            q.Fields |= KrpcFields.Cas;
        }
    });

    private (Dht.Engine.Dispatch.QueryAnswer Answer, KrpcMessage Reply) Handle(KrpcMessage query)
    {
        var reply = new KrpcMessage { Kind = KrpcMessageKind.Response };
        return (_handler.Handle(_context, query, reply), reply);
    }

    private KrpcMessage Get(NodeId target, long? seq = null) => Handle(Query(KrpcMethod.Get, q =>
    {
        q.Target = target;
        q.Fields |= KrpcFields.Target;
        if (seq is { } s)
        {
            q.Seq = s;
            q.Fields |= KrpcFields.Seq;
        }
    })).Reply;

    [Fact]
    public void Get_OfAnItemNotHeld_AnswersTokenAndNodesOnly()
    {
        var reply = Get(NodeId.FromKey("nothing"));
        Assert.True(reply.Has(KrpcFields.Token | KrpcFields.Nodes));
        Assert.False(reply.Has(KrpcFields.Value));
    }

    [Fact]
    public void PutImmutable_ThenGet_ServesTheValueUnderItsHash()
    {
        var value = Encoded("hello");
        Assert.False(Handle(Put(value)).Answer.IsError);

        var reply = Get(Bep44.ImmutableTarget(value));
        Assert.Equal(value, reply.Value.ToArray());
        Assert.False(reply.Has(KrpcFields.Key));
    }

    [Fact]
    public void PutMutable_ThenGet_ServesKeySeqAndSignatureButNeverTheSalt()
    {
        var value = Encoded("v1");
        Assert.False(Handle(Put(value, seq: 4)).Answer.IsError);

        var reply = Get(Bep44.MutableTarget(Key.PublicKey.Span, Salt));
        Assert.Equal(value, reply.Value.ToArray());
        Assert.Equal(4, reply.Seq);
        Assert.Equal(Key.PublicKey.ToArray(), reply.Key.ToArray());
        Assert.True(Bep44.Verify(reply.Key.Span, Salt, reply.Seq, reply.Value.Span, reply.Signature.Span));
        Assert.False(reply.Has(KrpcFields.Salt));
    }

    [Fact]
    public void GetWithASeqTheRequesterAlreadyHas_LeavesOutValueAndSignature()
    {
        Handle(Put(Encoded("v1"), seq: 4));
        var reply = Get(Bep44.MutableTarget(Key.PublicKey.Span, Salt), seq: 4);
        Assert.True(reply.Has(KrpcFields.Seq | KrpcFields.Key));
        Assert.False(reply.Has(KrpcFields.Value));
        Assert.False(reply.Has(KrpcFields.Signature));
    }

    [Fact]
    public void Put_WithABadToken_Is203AndStoresNothing()
    {
        var (answer, _) = Handle(Put(Encoded("x"), token: "bad"u8.ToArray()));
        Assert.Equal(KrpcErrorCode.Protocol, answer.ErrorCode);
        Assert.Equal(0, _policy.Count);
    }

    [Fact]
    public void Put_OfAnOlderSeq_Is302_AndACasMismatchIs301()
    {
        Handle(Put(Encoded("v5"), seq: 5));
        Assert.Equal(KrpcErrorCode.SequenceTooOld, Handle(Put(Encoded("v4"), seq: 4)).Answer.ErrorCode);
        Assert.Equal(KrpcErrorCode.CasMismatch, Handle(Put(Encoded("v6"), seq: 6, cas: 3)).Answer.ErrorCode);
    }

    [Fact]
    public void Put_WithAForgedSignature_Is206()
    {
        var put = Put(Encoded("v1"), seq: 1);
        put.Signature = new byte[64];
        var (answer, _) = Handle(put);
        Assert.Equal(KrpcErrorCode.InvalidSignature, answer.ErrorCode);
    }

    [Fact]
    public void Put_OfAValueOverTheLimit_Is205()
    {
        var (answer, _) = Handle(Put(Encoded(new string('x', 1000))));
        Assert.Equal(KrpcErrorCode.ValueTooBig, answer.ErrorCode);
    }
}
