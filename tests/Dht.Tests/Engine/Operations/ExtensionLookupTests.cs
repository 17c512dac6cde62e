using Dht.Engine.Operations;
using Dht.Lookups;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.NamedValues;

namespace Dht.Tests.Engine.Operations;

/// <summary>
/// Lookups with our extension's method among nodes of other implementations: find_value goes only to nodes that
/// serve it, the others are traversed with find_node, and only nodes that serve it count among the k closest.
/// </summary>
public sealed class ExtensionLookupTests
{
    private static readonly byte[] Libtorrent = "LT\x02\x00"u8.ToArray();

    private readonly ScriptedNode _node = new("me", new LookupOptions { K = 8, Alpha = 3 });

    private Task<LookupRun> Run(NodeId target) =>
        _node.Loop.InvokeAsync(() => _node.Lookups.RunAsync(NamedValueMethods.FindValue, target, null, CancellationToken.None));

    /// <summary>100 remotes, every third one of ours, the others of another implementation answering as <paramref name="answer"/>.</summary>
    private (List<ScriptedNetwork.Remote> Ours, List<ScriptedNetwork.Remote> Theirs) Mixed(int seed, UnknownMethodAnswer answer)
    {
        var random = new Random(seed);
        List<ScriptedNetwork.Remote> ours = [], theirs = [];
        for (int i = 0; i < 100; i++)
        {
            var remote = _node.Network.Add(NodeId.CreateRandom(random), inTable: false);
            if (i % 3 == 0)
            {
                ours.Add(remote);
                continue;
            }

            remote.UnknownMethods = answer;
            remote.ClientVersion = answer == UnknownMethodAnswer.AsFindNode ? Libtorrent : [];
            theirs.Add(remote);
        }

        return (ours, theirs);
    }

    [Theory]
    [InlineData(UnknownMethodAnswer.Silence)]
    [InlineData(UnknownMethodAnswer.AsFindNode)]
    [InlineData(UnknownMethodAnswer.Error204)]
    public async Task FindValueLookup_TraversesForeignNodesWithFindNode_AndFindsTheKClosestThatServeTheExtension(UnknownMethodAnswer answer)
    {
        var (ours, theirs) = Mixed(21, answer);
        _node.Network.NodesPerAnswer = 40; // enough that the k closest of ours are all listed by someone
        _node.Network.Table.AddRange(theirs.Take(3).Select(r => r.Node)); // it starts among foreign nodes only
        var target = NodeId.CreateRandom(new Random(22));

        var run = Run(target);
        Assert.True(_node.Clock.RunUntil(() => run.IsCompleted, TimeSpan.FromMinutes(1)));
        var lookup = await run;

        Assert.Equal(0, _node.Network.UnknownMethodQueries);
        var expected = ours.Select(r => r.Node).OrderBy(n => n.Id ^ target).Take(8).ToList();
        Assert.Equal(expected, lookup.Lookup.Results);
        Assert.Equal(expected.Select(n => n.Id).Order(), lookup.Tokens.Keys.Order());
        Assert.All(_node.Network.Sent.Where(s => theirs.Any(t => t.Node == s.To)), s => Assert.Equal(KrpcMethod.FindNode, s.Query.Method));

        // Nodes of ours met on the way were asked find_node first when a foreign node named them (nothing told us
        // what they serve), then find_value; find_value at once when a node of ours named them.
        Assert.All(expected, n => Assert.Equal(NamedValueMethods.FindValue, _node.Network.Sent.Last(s => s.To == n).Query.Method));
        Assert.Contains(ours, o => _node.Network.Sent.Where(s => s.To == o.Node).Select(s => s.Query.Method).SequenceEqual([KrpcMethod.FindNode, NamedValueMethods.FindValue]));
    }

    [Fact]
    public async Task FindValueLookup_AsksContactsKnownToServeTheExtensionWithFindValueAtOnce()
    {
        var (ours, _) = Mixed(23, UnknownMethodAnswer.Silence);
        _node.Network.Table.AddRange(ours.Select(r => r.Node));
        var target = NodeId.CreateRandom(new Random(24));

        var run = Run(target);
        Assert.True(_node.Clock.RunUntil(() => run.IsCompleted, TimeSpan.FromMinutes(1)));
        await run;

        Assert.NotEmpty(_node.Network.Sent);
        Assert.All(_node.Network.Sent.Where(s => ours.Any(o => o.Node == s.To)), s => Assert.Equal(NamedValueMethods.FindValue, s.Query.Method));
    }

    [Fact]
    public async Task FindValueLookup_NodeWithOurVersionThatRefusesTheExtension_StillPassesItsNodesOn()
    {
        var random = new Random(25);
        var target = NodeId.CreateRandom(random);
        var all = Enumerable.Range(0, 40).Select(_ => _node.Network.Add(NodeId.CreateRandom(random), inTable: false)).ToList();

        // The only node the lookup starts from is one of ours with named values turned off (it answers 204).
        var gate = all.OrderByDescending(r => r.Node.Id ^ target).First();
        gate.UnknownMethods = UnknownMethodAnswer.Error204;
        _node.Network.Table.Add(gate.Node);

        var run = Run(target);
        Assert.True(_node.Clock.RunUntil(() => run.IsCompleted, TimeSpan.FromMinutes(1)));
        var lookup = await run;

        var expected = all.Where(r => r != gate).Select(r => r.Node).OrderBy(n => n.Id ^ target).Take(8).ToList();
        Assert.Equal(expected, lookup.Lookup.Results);
        Assert.Equal(LookupNodeState.Passed, lookup.Lookup.StateOf(gate.Node.Id));
    }
}
