using Dht.Engine.Loop;
using Dht.Engine.Operations;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Simulation;

namespace Dht.Tests.Engine.Operations;

/// <summary>The one write path: to the nodes that gave a token, finished when each has answered, refused or timed out.</summary>
public sealed class WritePathTests
{
    private readonly SimulationClock _clock = new();
    private readonly HostedLoop _loop;
    private readonly ScriptedNetwork _network;
    private readonly WritePath _writes;

    public WritePathTests()
    {
        _loop = new HostedLoop(_clock.SynchronizationContext, e => throw e);
        _network = new ScriptedNetwork(NodeId.FromKey("writer"), _clock, _loop);
        _writes = new WritePath(_network, _loop, _clock);
    }

    private Task<WriteOutcome> Write(IEnumerable<NodeInfo> nodes, Dictionary<NodeId, byte[]> tokens) =>
        _loop.InvokeAsync(() => _writes.WriteAsync(KrpcMethod.Store, nodes, tokens, q =>
        {
            q.Target = NodeId.FromKey("key");
            q.Value = "3:abc"u8.ToArray();
            q.Seq = 7;
            q.Fields |= KrpcFields.Target | KrpcFields.Value | KrpcFields.Seq;
        }));

    [Fact]
    public async Task Write_GoesOnlyToNodesThatGaveAToken_EachWithItsOwnToken()
    {
        var a = _network.Add(NodeId.FromKey("a"));
        var b = _network.Add(NodeId.FromKey("b"));
        var c = _network.Add(NodeId.FromKey("c"));
        var write = Write([a.Node, b.Node, c.Node], new() { [a.Node.Id] = a.Token, [c.Node.Id] = c.Token });
        Assert.True(_clock.RunUntil(() => write.IsCompleted, TimeSpan.FromMinutes(1)));

        var outcome = await write;
        Assert.Equal(2, outcome.Asked);
        Assert.Equal(2, outcome.Stored);
        Assert.Equal([a.Node, c.Node], _network.Sent.Select(s => s.To));
        Assert.All(_network.Sent, s =>
        {
            Assert.Equal(KrpcMethod.Store, s.Query.Method);
            Assert.Equal(7, s.Query.Seq);
            Assert.Equal(s.To.Id == a.Node.Id ? a.Token : c.Token, s.Query.Token.ToArray());
        });
    }

    [Fact]
    public async Task Write_FinishesWhenEveryTargetHasAnsweredRefusedOrTimedOut_AndCountsEach()
    {
        var stores = _network.Add(NodeId.FromKey("stores"));
        var refuses = _network.Add(NodeId.FromKey("refuses"));
        refuses.ErrorCode = KrpcErrorCode.SequenceTooOld;
        var silent = _network.Add(NodeId.FromKey("silent"));
        silent.Silent = true;
        var start = _clock.GetUtcNow();
        var write = Write([stores.Node, refuses.Node, silent.Node], new()
        {
            [stores.Node.Id] = stores.Token,
            [refuses.Node.Id] = refuses.Token,
            [silent.Node.Id] = silent.Token,
        });

        // The two that answer have answered; the write still waits for the silent one's timeout.
        _clock.RunFor(_network.Latency * 2);
        Assert.False(write.IsCompleted);
        Assert.True(_clock.RunUntil(() => write.IsCompleted, TimeSpan.FromMinutes(1)));
        Assert.Equal(start + _network.Timeout, _clock.GetUtcNow());

        var outcome = await write;
        Assert.Equal((3, 2, 1), (outcome.Asked, outcome.Answered, outcome.Stored));
        Assert.Equal([KrpcErrorCode.SequenceTooOld], outcome.ErrorCodes);
    }

    [Fact]
    public async Task Write_WithNoTokens_SendsNothingAndCompletes()
    {
        var a = _network.Add(NodeId.FromKey("a"));
        var write = Write([a.Node], []);
        Assert.True(_clock.RunUntil(() => write.IsCompleted, TimeSpan.FromMinutes(1)));
        Assert.Equal((0, 0, 0), ((await write).Asked, (await write).Answered, (await write).Stored));
        Assert.Empty(_network.Sent);
    }

    [Fact]
    public async Task WriteAfterLookup_GoesToTheClosestThatAnsweredTheLookup()
    {
        var target = NodeId.FromKey("key");
        var nodes = Enumerable.Range(0, 12).Select(i => _network.Add(NodeId.FromKey($"n{i}"))).ToList();
        var silent = nodes.OrderBy(n => n.Node.Id ^ target).First();
        silent.Silent = true;
        var lookups = new LookupRunner(_network, _loop, _clock, new Dht.Lookups.LookupOptions());
        var run = _loop.InvokeAsync(async () =>
        {
            var lookup = await lookups.RunAsync(KrpcMethod.FindValue, target, null, CancellationToken.None).ConfigureAwait(true);
            _network.Sent.Clear();
            return await _writes.WriteAsync(lookup, KrpcMethod.Store, q =>
            {
                q.Target = target;
                q.Value = "1:x"u8.ToArray();
                q.Seq = 1;
                q.Fields |= KrpcFields.Target | KrpcFields.Value | KrpcFields.Seq;
            }).ConfigureAwait(true);
        });
        Assert.True(_clock.RunUntil(() => run.IsCompleted, TimeSpan.FromMinutes(1)));

        var outcome = await run;
        var expected = nodes.Where(n => n != silent).Select(n => n.Node).OrderBy(n => n.Id ^ target).Take(8);
        Assert.Equal(expected.OrderBy(n => n.Id), _network.Sent.Select(s => s.To).OrderBy(n => n.Id));
        Assert.Equal(8, outcome.Stored);
    }
}
