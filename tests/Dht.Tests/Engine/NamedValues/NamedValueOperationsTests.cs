using System.Text;
using Dht.Engine.Loop;
using Dht.Engine.NamedValues;
using Dht.Engine.Operations;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.NamedValues;
using Dht.Simulation;
using Dht.Storage;

namespace Dht.Tests.Engine.NamedValues;

/// <summary>The named-value client: where it writes, what a get returns, and when.</summary>
public sealed class NamedValueOperationsTests
{
    private readonly ScriptedNode _node = new("client");
    private readonly NamedValueOperations _values;
    private readonly Dictionary<NodeId, NamedValuePolicy> _held = [];

    public NamedValueOperationsTests()
    {
        var limits = new StorageLimits();
        _values = new NamedValueOperations(_node.Operations, new NamedValuePolicy(new InMemoryNamedValueStore(), _node.Network.LocalId, limits), new PublishedValues(null), limits);
        var random = new Random(31);
        for (int i = 0; i < 16; i++)
        {
            var id = NodeId.CreateRandom(random);
            var remote = _node.Network.Add(id);
            var policy = new NamedValuePolicy(new InMemoryNamedValueStore(), id);
            _held[id] = policy;
            remote.Script = (query, reply) => Serve(policy, query, reply);
        }
    }

    private void Serve(NamedValuePolicy policy, KrpcMessage query, KrpcMessage reply)
    {
        var now = _node.Clock.GetUtcNow();
        if (query.Method == NamedValueMethods.Store && Dht.Engine.BencodedString.TryRead(query.Value.Span, out var v))
        {
            policy.Put(query.Target, v, query.Seq, null, default, now);
        }
        else if (query.Method == NamedValueMethods.FindValue && policy.TryGet(query.Target, now, out var held))
        {
            reply.Value = Dht.Engine.BencodedString.Encode(held.Value.Span);
            reply.Seq = held.Seq;
            reply.Fields |= KrpcFields.Value | KrpcFields.Seq;
        }
    }

    private Task<T> Run<T>(Func<Task<T>> operation) => _node.Run(operation);

    private List<NamedValuePolicy> Holders(string key, long seq) =>
        _held.Values.Where(p => p.TryGet(NodeId.FromKey(key), _node.Clock.GetUtcNow(), out var v) && v.Seq == seq).ToList();

    [Fact]
    public async Task Put_StoresOnTheKClosest_AndReportsAskedAnsweredStored()
    {
        var put = await Run(() => _values.PutAsync("key", "value"u8.ToArray(), null, CancellationToken.None));
        Assert.Equal((8, 8, 8), (put.NodesAsked, put.NodesAnswered, put.NodesStored));
        Assert.Equal(8, Holders("key", put.Seq).Count);
    }

    [Theory]
    [InlineData(UnknownMethodAnswer.Silence)]
    [InlineData(UnknownMethodAnswer.AsFindNode)]
    public async Task Put_AmongForeignNodes_StoresOnTheKClosestThatServeTheExtension_AndSendsTheOthersNoneOfIt(UnknownMethodAnswer answer)
    {
        var target = NodeId.FromKey("key");
        var foreign = _node.Network.Remotes.OrderBy(r => r.Node.Id ^ target).Take(3).ToList();
        foreach (var remote in foreign)
        {
            remote.ClientVersion = "LT\x01\x02"u8.ToArray();
            remote.UnknownMethods = answer;
        }

        var put = await Run(() => _values.PutAsync("key", "value"u8.ToArray(), null, CancellationToken.None));
        Assert.Equal((8, 8), (put.NodesAsked, put.NodesStored));
        Assert.Equal(0, _node.Network.UnknownMethodQueries);
        Assert.DoesNotContain(_node.Network.Sent, s => s.Query.Method is NamedValueMethods.FindValue or NamedValueMethods.Store && foreign.Any(f => f.Node == s.To));
    }

    [Fact]
    public async Task Store_AnsweredAsFindNode_IsNotCountedAsStored()
    {
        // A node that says it is ours but takes store for find_node (an impostor, or a stale capability).
        var target = NodeId.FromKey("key");
        var closest = _node.Network.Remotes.OrderBy(r => r.Node.Id ^ target).First();
        closest.Script = (query, reply) =>
        {
            if (query.Method == NamedValueMethods.Store)
            {
                reply.Nodes = new byte[26];
                reply.Fields |= KrpcFields.Nodes;
            }
        };

        var put = await Run(() => _values.PutAsync("key", "value"u8.ToArray(), null, CancellationToken.None));
        Assert.Equal((8, 8, 7), (put.NodesAsked, put.NodesAnswered, put.NodesStored));
    }

    [Fact]
    public async Task Get_ReturnsWhenTheLookupHasFinished_AndTheReadRepairGoesOnAfter()
    {
        var put = await Run(() => _values.PutAsync("key", "new"u8.ToArray(), null, CancellationToken.None));
        var target = NodeId.FromKey("key");
        var closest = _node.Network.Remotes.OrderBy(r => r.Node.Id ^ target).Take(8).ToList();

        // Two of the k closest lose the value; one of them will not even answer the repair.
        _held[closest[0].Node.Id].RemoveExpired(DateTimeOffset.MaxValue);
        _held[closest[1].Node.Id].RemoveExpired(DateTimeOffset.MaxValue);
        closest[1].SilentToWrites = true;

        var started = _node.Clock.GetUtcNow();
        var get = _node.Loop.InvokeAsync(() => _values.GetAsync("key", CancellationToken.None));
        Assert.True(_node.Clock.RunUntil(() => get.IsCompleted, TimeSpan.FromMinutes(1)));
        var result = await get;
        Assert.True(_node.Clock.GetUtcNow() - started < _node.Network.Timeout, "the get waited for the repair");
        Assert.Equal((true, "new", put.Seq), (result.Found, Encoding.ASCII.GetString(result.Value.Span), result.Seq));
        Assert.Equal((6, 2), (result.NodesWithValue, result.NodesRepaired));
        Assert.True(result.NodesAnswered >= 8);

        _node.Clock.RunFor(TimeSpan.FromSeconds(5));
        Assert.Equal(7, Holders("key", put.Seq).Count);
    }

    [Fact]
    public async Task Put_VersionIsAboveTheNewestSeenForTheKey()
    {
        var target = NodeId.FromKey("key");
        var other = _node.Network.Remotes.OrderBy(r => r.Node.Id ^ target).First();
        // Another writer's clock runs five seconds ahead of ours.
        long ahead = (_node.Clock.GetUtcNow().ToUnixTimeMilliseconds() * 1000) + 5_000_000;
        _held[other.Node.Id].Put(target, "theirs"u8, ahead, null, default, _node.Clock.GetUtcNow());
        var put = await Run(() => _values.PutAsync("key", "mine"u8.ToArray(), null, CancellationToken.None));
        Assert.Equal(ahead + 1, put.Seq);
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(0)] // replaced by one second beyond the clock plus the skew
    public async Task Put_WhenAnAnswerClaimsASeqBeyondTheClockWindow_IgnoresIt_AndWritesAtTheClock(long claimed)
    {
        long started = _node.Clock.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
        ClosestAnsweringWith("ATTACKER"u8.ToArray(), claimed == 0 ? BeyondWindow() : claimed);

        var put = await Run(() => _values.PutAsync("key", "mine"u8.ToArray(), null, CancellationToken.None));

        Assert.InRange(put.Seq, started, _node.Clock.GetUtcNow().ToUnixTimeMilliseconds() * 1000);
        Assert.Equal(8, Holders("key", put.Seq).Count);
    }

    [Fact]
    public async Task Get_WhenAnAnswerClaimsASeqBeyondTheClockWindow_ReturnsTheNewestWithinIt()
    {
        var put = await Run(() => _values.PutAsync("key", "good"u8.ToArray(), null, CancellationToken.None));
        ClosestAnsweringWith("ATTACKER"u8.ToArray(), long.MaxValue);

        var get = await Run(() => _values.GetAsync("key", CancellationToken.None));

        Assert.Equal((true, "good", put.Seq), (get.Found, Encoding.ASCII.GetString(get.Value.Span), get.Seq));
    }

    /// <summary>A second past the newest seq a server accepts now (the clock in microseconds plus the allowed skew); the put runs well within that second.</summary>
    private long BeyondWindow() =>
        (_node.Clock.GetUtcNow().ToUnixTimeMilliseconds() * 1000) + (long)new StorageLimits().MaxSeqClockSkew.TotalMicroseconds + 1_000_000;

    /// <summary>The remote closest to "key" answers every find_value with <paramref name="value"/> at <paramref name="seq"/>.</summary>
    private void ClosestAnsweringWith(byte[] value, long seq)
    {
        var target = NodeId.FromKey("key");
        var liar = _node.Network.Remotes.OrderBy(r => r.Node.Id ^ target).First();
        var policy = _held[liar.Node.Id];
        liar.Script = (query, reply) =>
        {
            Serve(policy, query, reply);
            if (query.Method == NamedValueMethods.FindValue)
            {
                reply.Value = Dht.Engine.BencodedString.Encode(value);
                reply.Seq = seq;
                reply.Fields |= KrpcFields.Value | KrpcFields.Seq;
            }
        };
    }
}
