using System.Text;
using Dht.Crypto;
using Dht.Engine.Items;
using Dht.Engine.Loop;
using Dht.Engine.Operations;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Simulation;
using Dht.Storage;

namespace Dht.Tests.Engine.Items;

/// <summary>The BEP 44 client: what it writes, what it believes, what it reports.</summary>
public sealed class ItemOperationsTests
{
    private static readonly Ed25519KeyPair Key = Ed25519KeyPair.FromSeed(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private static readonly byte[] Salt = "salt"u8.ToArray();

    private readonly ScriptedNode _node = new("client");
    private readonly ItemOperations _items;
    private readonly Dictionary<NodeId, ItemPolicy> _held = [];

    public ItemOperationsTests()
    {
        // The client keeps no copy of its own here: these tests are about what the network holds and answers.
        _items = new ItemOperations(_node.Operations, new ItemPolicy(new InMemoryItemStore(), _node.Network.LocalId), keepsCopies: false);
        var random = new Random(21);
        for (int i = 0; i < 16; i++)
        {
            AddHolder(NodeId.CreateRandom(random));
        }
    }

    private ScriptedNetwork.Remote AddHolder(NodeId id)
    {
        var remote = _node.Network.Add(id);
        var policy = new ItemPolicy(new InMemoryItemStore(), id);
        _held[id] = policy;
        remote.Script = (query, reply) =>
        {
            var now = _node.Clock.GetUtcNow();
            if (query.Method == KrpcMethod.Put)
            {
                _ = query.Has(KrpcFields.Key)
                    ? policy.PutMutable(query.Key.Span, query.Salt.Span, query.Seq, query.Value.Span, query.Signature.Span, null, default, now)
                    : policy.PutImmutable(query.Value.Span, default, now);
            }
            else if (query.Method == KrpcMethod.Get && policy.TryGet(query.Target, now, out var item))
            {
                reply.Value = item.Value;
                reply.Fields |= KrpcFields.Value;
                if (item.IsMutable)
                {
                    reply.Key = item.PublicKey;
                    reply.Seq = item.Seq;
                    reply.Signature = item.Signature;
                    reply.Fields |= KrpcFields.Key | KrpcFields.Seq | KrpcFields.Signature;
                }
            }
        };
        return remote;
    }

    private Task<T> Run<T>(Func<Task<T>> operation) => _node.Run(operation);

    private int Holders(NodeId target) => _held.Values.Count(p => p.TryGet(target, _node.Clock.GetUtcNow(), out _));

    [Fact]
    public async Task PutImmutable_StoresOnTheKClosest_AndReportsAskedAnsweredStored()
    {
        var put = await Run(() => _items.PutImmutableAsync("hello"u8.ToArray(), CancellationToken.None));
        Assert.Equal(Bep44.ImmutableTarget(Encoding.ASCII.GetBytes("5:hello")), put.Target);
        Assert.Equal((8, 8), (put.NodesStored, put.NodesAsked));
        Assert.Equal(8, Holders(put.Target));

        var got = await Run(() => _items.GetImmutableAsync(put.Target, CancellationToken.None));
        Assert.True(got.Found);
        Assert.Equal("hello"u8.ToArray(), got.Value.ToArray());
        Assert.True(got.NodesAnswered >= 1);
    }

    [Fact]
    public async Task PutImmutable_ARefusalIsAnAnswerWithItsCode_ASilentNodeIsNot_AndItsPlaceGoesToTheNextNode()
    {
        var target = Bep44.ImmutableTarget(Encoding.ASCII.GetBytes("1:x"));
        var closest = _node.Network.Remotes.OrderBy(r => r.Node.Id ^ target).ToList();
        closest[0].ErrorCode = KrpcErrorCode.ValueTooBig;
        closest[1].Silent = true;
        var put = await Run(() => _items.PutImmutableAsync("x"u8.ToArray(), CancellationToken.None));

        // Overtaken by the others' answers, the silent node did not hold the put, but it kept its place among the 8
        // closest: the put wrote to the other 7 at once.
        Assert.Equal((7, 7, 6, 1), (put.NodesAsked, put.NodesAnswered, put.NodesStored, put.NodesPending));
        Assert.Equal([KrpcErrorCode.ValueTooBig], put.ErrorCodes);
        Assert.False(_held[closest[8].Node.Id].TryGet(target, _node.Clock.GetUtcNow(), out _));

        // Once its query has failed, the place is the next node's; a node that stops on purpose waits for that.
        var settled = _node.Start(async () =>
        {
            await _node.Writes.SettledAsync();
            return 0;
        });
        _node.Clock.RunFor(_node.Network.Timeout / 2);
        Assert.False(settled.IsCompleted);
        _node.Clock.RunFor(_node.Network.Timeout);
        Assert.True(settled.IsCompleted);
        Assert.True(_held[closest[8].Node.Id].TryGet(target, _node.Clock.GetUtcNow(), out _));
        Assert.Equal(7, Holders(target));
    }

    [Fact]
    public async Task PutImmutable_ALaggardAmongTheClosest_DoesNotHoldThePut_AndIsWrittenWhenItAnswers()
    {
        var target = Bep44.ImmutableTarget(Encoding.ASCII.GetBytes("4:slow"));
        var closest = _node.Network.Remotes.OrderBy(r => r.Node.Id ^ target).ToList();
        closest[0].Latency = TimeSpan.FromMilliseconds(300); // alive, but fifteen times slower than the others
        var start = _node.Clock.GetUtcNow();
        var put = await Run(() => _items.PutImmutableAsync("slow"u8.ToArray(), CancellationToken.None));

        Assert.True(_node.Clock.GetUtcNow() - start < TimeSpan.FromMilliseconds(300), "the put waited for the laggard");
        Assert.Equal((7, 1), (put.NodesStored, put.NodesPending));
        _node.Clock.RunFor(TimeSpan.FromSeconds(1));
        var holders = closest.Where(r => _held[r.Node.Id].TryGet(target, _node.Clock.GetUtcNow(), out _)).ToList();
        Assert.Equal(closest.Take(8), holders); // the laggard itself, not a ninth node: k copies on the k closest
    }

    [Fact]
    public async Task PutImmutable_ALaggardThatAnswersWhileTheWriteRuns_IsPartOfIt()
    {
        // The lookup ends at 60 ms without the node (three answers overtook it); its answer comes at 70 ms, while the
        // write to the others (60 to 80 ms) runs: the write waits for its store too, and counts it.
        var target = Bep44.ImmutableTarget(Encoding.ASCII.GetBytes("6:behind"));
        var closest = _node.Network.Remotes.OrderBy(r => r.Node.Id ^ target).ToList();
        closest[0].Latency = TimeSpan.FromMilliseconds(70);
        var put = await Run(() => _items.PutImmutableAsync("behind"u8.ToArray(), CancellationToken.None));

        Assert.Equal((8, 8, 0), (put.NodesAsked, put.NodesStored, put.NodesPending));
        Assert.Equal(8, Holders(target));
        Assert.True(_held[closest[0].Node.Id].TryGet(target, _node.Clock.GetUtcNow(), out _));
    }

    [Fact]
    public async Task GetImmutable_IgnoresAnAnswerWhoseHashDoesNotMatch()
    {
        var value = Encoding.ASCII.GetBytes("5:right");
        var target = Bep44.ImmutableTarget(value);
        foreach (var remote in _node.Network.Remotes)
        {
            remote.Script = (query, reply) =>
            {
                reply.Value = Encoding.ASCII.GetBytes("5:wrong");
                reply.Fields |= KrpcFields.Value;
            };
        }

        var got = await Run(() => _items.GetImmutableAsync(target, CancellationToken.None));
        Assert.False(got.Found);
    }

    [Fact]
    public async Task PutMutable_WritesOneAboveTheNewestVersionFound_AndGetReturnsIt()
    {
        var first = await Run(() => _items.PutMutableAsync(Key, Salt, "v1"u8.ToArray(), null, CancellationToken.None));
        Assert.Equal(1, first.Seq);
        var second = await Run(() => _items.PutMutableAsync(Key, Salt, "v2"u8.ToArray(), null, CancellationToken.None));
        Assert.Equal(2, second.Seq);
        Assert.Equal(8, second.NodesStored);

        var got = await Run(() => _items.GetMutableAsync(Key.PublicKey, Salt, CancellationToken.None));
        Assert.True(got.Found);
        Assert.Equal((2L, "v2"), (got.Seq, Encoding.ASCII.GetString(got.Value.Span)));
        Assert.True(got.NodesWithItem >= 1);
    }

    [Fact]
    public async Task GetMutable_IgnoresAHigherSeqWithABadSignature()
    {
        await Run(() => _items.PutMutableAsync(Key, Salt, "real"u8.ToArray(), null, CancellationToken.None));
        var liar = _node.Network.Remotes.First();
        liar.Script = (query, reply) =>
        {
            reply.Value = Encoding.ASCII.GetBytes("4:fake");
            reply.Key = Key.PublicKey;
            reply.Seq = 99;
            reply.Signature = new byte[64];
            reply.Fields |= KrpcFields.Value | KrpcFields.Key | KrpcFields.Seq | KrpcFields.Signature;
        };

        var got = await Run(() => _items.GetMutableAsync(Key.PublicKey, Salt, CancellationToken.None));
        Assert.Equal((1L, "real"), (got.Seq, Encoding.ASCII.GetString(got.Value.Span)));
    }

    [Fact]
    public async Task RepublishAll_PutsAgainWhatThisNodePut()
    {
        var put = await Run(() => _items.PutImmutableAsync("again"u8.ToArray(), CancellationToken.None));
        foreach (var policy in _held.Values)
        {
            policy.RemoveExpired(_node.Clock.GetUtcNow() + TimeSpan.FromDays(1));
        }

        Assert.Equal(0, Holders(put.Target));
        await Run(() =>
        {
            _items.RepublishAll();
            return Task.FromResult(0);
        });
        _node.Clock.RunFor(TimeSpan.FromMinutes(1));
        Assert.Equal(8, Holders(put.Target));
    }

    [Fact]
    public async Task AValueTooLargeForBep44_IsRefusedBeforeAnythingIsSent()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Run(() => _items.PutImmutableAsync(new byte[1000], CancellationToken.None)));
        Assert.Empty(_node.Network.Sent);
    }
}
