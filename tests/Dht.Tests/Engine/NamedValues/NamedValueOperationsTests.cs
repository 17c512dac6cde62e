using System.Text;
using Dht.Engine.Loop;
using Dht.Engine.NamedValues;
using Dht.Engine.Operations;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Simulation;
using Dht.Storage;

namespace Dht.Tests.Engine.NamedValues;

/// <summary>The named-value client: where it writes, what a get returns, and when.</summary>
public sealed class NamedValueOperationsTests
{
    private readonly SimulationClock _clock = new();
    private readonly HostedLoop _loop;
    private readonly ScriptedNetwork _network;
    private readonly NamedValueOperations _values;
    private readonly Dictionary<NodeId, NamedValuePolicy> _held = [];

    public NamedValueOperationsTests()
    {
        _loop = new HostedLoop(_clock.SynchronizationContext, e => throw e);
        _network = new ScriptedNetwork(NodeId.FromKey("client"), _clock, _loop);
        var lookups = new LookupRunner(_network, _loop, _clock, new Dht.Lookups.LookupOptions());
        var context = new OperationContext(_network, lookups, new WritePath(_network, _loop, _clock), _loop, _clock, 8, e => throw e);
        var limits = new StorageLimits();
        _values = new NamedValueOperations(context, new NamedValuePolicy(new InMemoryNamedValueStore(), _network.LocalId, limits), new PublishedValues(null), limits);
        var random = new Random(31);
        for (int i = 0; i < 16; i++)
        {
            var id = NodeId.CreateRandom(random);
            var remote = _network.Add(id);
            var policy = new NamedValuePolicy(new InMemoryNamedValueStore(), id);
            _held[id] = policy;
            remote.Script = (query, reply) => Serve(policy, query, reply);
        }
    }

    private void Serve(NamedValuePolicy policy, KrpcMessage query, KrpcMessage reply)
    {
        var now = _clock.GetUtcNow();
        if (query.Method == KrpcMethod.Store && Dht.Engine.BencodedString.TryRead(query.Value.Span, out var v))
        {
            policy.Put(query.Target, v, query.Seq, null, default, now);
        }
        else if (query.Method == KrpcMethod.FindValue && policy.TryGet(query.Target, now, out var held))
        {
            reply.Value = Dht.Engine.BencodedString.Encode(held.Value.Span);
            reply.Seq = held.Seq;
            reply.Fields |= KrpcFields.Value | KrpcFields.Seq;
        }
    }

    private async Task<T> Run<T>(Func<Task<T>> operation)
    {
        var task = _loop.InvokeAsync(operation);
        Assert.True(_clock.RunUntil(() => task.IsCompleted, TimeSpan.FromMinutes(1)));
        return await task;
    }

    private List<NamedValuePolicy> Holders(string key, long seq) =>
        _held.Values.Where(p => p.TryGet(NodeId.FromKey(key), _clock.GetUtcNow(), out var v) && v.Seq == seq).ToList();

    [Fact]
    public async Task Put_StoresOnTheKClosest_AndReportsAskedAnsweredStored()
    {
        var put = await Run(() => _values.PutAsync("key", "value"u8.ToArray(), null, CancellationToken.None));
        Assert.Equal((8, 8, 8), (put.NodesAsked, put.NodesAnswered, put.NodesStored));
        Assert.Equal(8, Holders("key", put.Seq).Count);
    }

    [Fact]
    public async Task Put_IsNotSentToNodesThatDoNotAdvertiseTheExtension()
    {
        var target = NodeId.FromKey("key");
        var foreign = _network.Remotes.OrderBy(r => r.Node.Id ^ target).Take(3).ToList();
        foreach (var remote in foreign)
        {
            remote.ClientVersion = "LT\x01\x02"u8.ToArray();
        }

        var put = await Run(() => _values.PutAsync("key", "value"u8.ToArray(), null, CancellationToken.None));
        Assert.Equal(5, put.NodesAsked);
        Assert.DoesNotContain(_network.Sent, s => s.Query.Method == KrpcMethod.Store && foreign.Any(f => f.Node == s.To));
    }

    [Fact]
    public async Task Get_ReturnsWhenTheLookupHasFinished_AndTheReadRepairGoesOnAfter()
    {
        var put = await Run(() => _values.PutAsync("key", "new"u8.ToArray(), null, CancellationToken.None));
        var target = NodeId.FromKey("key");
        var closest = _network.Remotes.OrderBy(r => r.Node.Id ^ target).Take(8).ToList();

        // Two of the k closest lose the value; one of them will not even answer the repair.
        _held[closest[0].Node.Id].RemoveExpired(DateTimeOffset.MaxValue);
        _held[closest[1].Node.Id].RemoveExpired(DateTimeOffset.MaxValue);
        closest[1].SilentToWrites = true;

        var started = _clock.GetUtcNow();
        var get = _loop.InvokeAsync(() => _values.GetAsync("key", CancellationToken.None));
        Assert.True(_clock.RunUntil(() => get.IsCompleted, TimeSpan.FromMinutes(1)));
        var result = await get;
        Assert.True(_clock.GetUtcNow() - started < _network.Timeout, "the get waited for the repair");
        Assert.Equal((true, "new", put.Seq), (result.Found, Encoding.ASCII.GetString(result.Value.Span), result.Seq));
        Assert.Equal((6, 2), (result.NodesWithValue, result.NodesRepaired));
        Assert.True(result.NodesAnswered >= 8);

        _clock.RunFor(TimeSpan.FromSeconds(5));
        Assert.Equal(7, Holders("key", put.Seq).Count);
    }

    [Fact]
    public async Task Put_VersionIsAboveTheNewestSeenForTheKey()
    {
        var target = NodeId.FromKey("key");
        var other = _network.Remotes.OrderBy(r => r.Node.Id ^ target).First();
        // Another writer's clock runs five seconds ahead of ours.
        long ahead = (_clock.GetUtcNow().ToUnixTimeMilliseconds() * 1000) + 5_000_000;
        _held[other.Node.Id].Put(target, "theirs"u8, ahead, null, default, _clock.GetUtcNow());
        var put = await Run(() => _values.PutAsync("key", "mine"u8.ToArray(), null, CancellationToken.None));
        Assert.Equal(ahead + 1, put.Seq);
    }
}
