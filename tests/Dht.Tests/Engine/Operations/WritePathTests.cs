using Dht.Engine.Loop;
using Dht.Engine.Operations;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.NamedValues;
using Dht.Simulation;

namespace Dht.Tests.Engine.Operations;

/// <summary>The one write path: to the nodes that gave a token, finished when each has answered, refused or timed out.</summary>
public sealed class WritePathTests
{
    private readonly ScriptedNode _node = new("writer");

    private Task<WriteOutcome> Write(IEnumerable<NodeInfo> nodes, Dictionary<NodeId, byte[]> tokens) =>
        _node.Loop.InvokeAsync(() => _node.Writes.WriteAsync(NamedValueMethods.Store, nodes, tokens, q =>
        {
            q.Target = NodeId.FromKey("key");
            q.Value = "3:abc"u8.ToArray();
            q.Seq = 7;
            q.Fields |= KrpcFields.Target | KrpcFields.Value | KrpcFields.Seq;
        }));

    [Fact]
    public async Task Write_GoesOnlyToNodesThatGaveAToken_EachWithItsOwnToken()
    {
        var a = _node.Network.Add(NodeId.FromKey("a"));
        var b = _node.Network.Add(NodeId.FromKey("b"));
        var c = _node.Network.Add(NodeId.FromKey("c"));
        var write = Write([a.Node, b.Node, c.Node], new() { [a.Node.Id] = a.Token, [c.Node.Id] = c.Token });
        Assert.True(_node.Clock.RunUntil(() => write.IsCompleted, TimeSpan.FromMinutes(1)));

        var outcome = await write;
        Assert.Equal(2, outcome.Asked);
        Assert.Equal(2, outcome.Stored);
        Assert.Equal([a.Node, c.Node], _node.Network.Sent.Select(s => s.To));
        Assert.All(_node.Network.Sent, s =>
        {
            Assert.Equal(NamedValueMethods.Store, s.Query.Method);
            Assert.Equal(7, s.Query.Seq);
            Assert.Equal(s.To.Id == a.Node.Id ? a.Token : c.Token, s.Query.Token.ToArray());
        });
    }

    [Fact]
    public async Task Write_FinishesWhenEveryTargetHasAnsweredRefusedOrTimedOut_AndCountsEach()
    {
        var stores = _node.Network.Add(NodeId.FromKey("stores"));
        var refuses = _node.Network.Add(NodeId.FromKey("refuses"));
        refuses.ErrorCode = KrpcErrorCode.SequenceTooOld;
        var silent = _node.Network.Add(NodeId.FromKey("silent"));
        silent.Silent = true;
        var start = _node.Clock.GetUtcNow();
        var write = Write([stores.Node, refuses.Node, silent.Node], new()
        {
            [stores.Node.Id] = stores.Token,
            [refuses.Node.Id] = refuses.Token,
            [silent.Node.Id] = silent.Token,
        });

        // The two that answer have answered; the write still waits for the silent one's timeout.
        _node.Clock.RunFor(_node.Network.Latency * 2);
        Assert.False(write.IsCompleted);
        Assert.True(_node.Clock.RunUntil(() => write.IsCompleted, TimeSpan.FromMinutes(1)));
        Assert.Equal(start + _node.Network.Timeout, _node.Clock.GetUtcNow());

        var outcome = await write;
        Assert.Equal((3, 2, 1), (outcome.Asked, outcome.Answered, outcome.Stored));
        Assert.Equal([KrpcErrorCode.SequenceTooOld], outcome.ErrorCodes);
    }

    [Fact]
    public async Task Write_WithNoTokens_SendsNothingAndCompletes()
    {
        var a = _node.Network.Add(NodeId.FromKey("a"));
        var write = Write([a.Node], []);
        Assert.True(_node.Clock.RunUntil(() => write.IsCompleted, TimeSpan.FromMinutes(1)));
        Assert.Equal((0, 0, 0), ((await write).Asked, (await write).Answered, (await write).Stored));
        Assert.Empty(_node.Network.Sent);
    }

    [Fact]
    public async Task WriteAfterLookup_GoesToTheClosestThatAnsweredTheLookup()
    {
        var target = NodeId.FromKey("key");
        var nodes = Enumerable.Range(0, 12).Select(i => _node.Network.Add(NodeId.FromKey($"n{i}"))).ToList();
        var silent = nodes.OrderBy(n => n.Node.Id ^ target).First();
        silent.Silent = true;
        var run = _node.Loop.InvokeAsync(async () =>
        {
            var lookup = await _node.Lookups.RunAsync(NamedValueMethods.FindValue, target, null, CancellationToken.None).ConfigureAwait(true);
            _node.Network.Sent.Clear();
            return await _node.Writes.WriteAsync(lookup, NamedValueMethods.Store, q =>
            {
                q.Target = target;
                q.Value = "1:x"u8.ToArray();
                q.Seq = 1;
                q.Fields |= KrpcFields.Target | KrpcFields.Value | KrpcFields.Seq;
            }).ConfigureAwait(true);
        });
        Assert.True(_node.Clock.RunUntil(() => run.IsCompleted, TimeSpan.FromMinutes(1)));

        var outcome = await run;
        var expected = nodes.Where(n => n != silent).Select(n => n.Node).OrderBy(n => n.Id ^ target).Take(8);
        Assert.Equal(expected.OrderBy(n => n.Id), _node.Network.Sent.Select(s => s.To).OrderBy(n => n.Id));
        Assert.Equal(8, outcome.Stored);
    }
}
