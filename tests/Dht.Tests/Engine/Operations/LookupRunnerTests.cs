using Dht.Engine.Loop;
using Dht.Engine.Operations;
using Dht.Lookups;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Simulation;

namespace Dht.Tests.Engine.Operations;

/// <summary>The lookup runner: the sans-IO lookup driven over a network, from seeds to the k closest.</summary>
public sealed class LookupRunnerTests
{
    private readonly ScriptedNode _node = new("me", new LookupOptions { K = 8, Alpha = 3 });

    private Task<LookupRun> Run(KrpcMethod method, NodeId target, Action<NodeInfo, KrpcMessage>? onResponse = null, CancellationToken cancellationToken = default) =>
        _node.Loop.InvokeAsync(() => _node.Lookups.RunAsync(method, target, onResponse, cancellationToken));

    [Fact]
    public async Task Lookup_FromOneSeed_FindsTheKClosestOfTheNetwork_AndKeepsTheirTokens()
    {
        var random = new Random(11);
        var all = Enumerable.Range(0, 100).Select(_ => _node.Network.Add(NodeId.CreateRandom(random), inTable: false)).ToList();
        _node.Network.Table.Add(all[0].Node);
        var target = NodeId.CreateRandom(random);

        var run = Run(KrpcMethod.FindNode, target);
        Assert.Equal(1, _node.Lookups.Running);
        Assert.True(_node.Clock.RunUntil(() => run.IsCompleted, TimeSpan.FromMinutes(1)));

        var lookup = await run;
        var expected = all.Select(r => r.Node).OrderBy(n => n.Id ^ target).Take(8).ToList();
        Assert.Equal(expected, lookup.Lookup.Results);
        Assert.All(expected, n => Assert.Equal(all.Single(r => r.Node == n).Token, lookup.Tokens[n.Id]));
        Assert.Equal(0, _node.Lookups.Running);
        Assert.Equal([target], _node.Network.Finished); // the bucket of the target counts as refreshed
        Assert.All(_node.Network.Sent, s => Assert.Equal(target, s.Query.Target));
        Assert.DoesNotContain(_node.Network.Sent, s => s.To.Id == _node.Network.LocalId);
    }

    [Fact]
    public async Task Lookup_WhenEveryClosestContactFailedRecently_IsSeededWithTheNextOnes()
    {
        // After most of the network left at once, the 16 closest contacts are all known to be gone: the lookup starts
        // from the live contacts behind them instead of ending with nothing.
        var random = new Random(13);
        var target = NodeId.CreateRandom(random);
        var remotes = Enumerable.Range(0, 40).Select(_ => _node.Network.Add(NodeId.CreateRandom(random))).OrderBy(r => r.Node.Id ^ target).ToList();
        var advisor = new Dht.Tests.Lookups.ScriptedAdvisor();
        foreach (var gone in remotes.Take(20))
        {
            gone.Silent = true;
            advisor.AvoidedUntil[gone.Node.Id] = _node.Clock.GetUtcNow() + TimeSpan.FromMinutes(1);
        }

        _node.Network.LookupAdvisor = advisor;
        _node.Network.NodesPerAnswer = 0; // the live nodes name nobody: only the seeds can lead anywhere
        var run = Run(KrpcMethod.FindNode, target);
        Assert.True(_node.Clock.RunUntil(() => run.IsCompleted, TimeSpan.FromMinutes(1)));

        var lookup = await run;
        Assert.Equal(remotes.Skip(20).Take(8).Select(r => r.Node), lookup.Lookup.Results);
        Assert.DoesNotContain(_node.Network.Sent, s => remotes.Take(20).Any(r => r.Node == s.To));
    }

    [Fact]
    public async Task GetPeers_NamesItsTargetInfoHash_AndEveryAnswerIsSeen()
    {
        var random = new Random(12);
        for (int i = 0; i < 20; i++)
        {
            _node.Network.Add(NodeId.CreateRandom(random));
        }

        var target = NodeId.CreateRandom(random);
        var seen = new List<NodeId>();
        var run = Run(KrpcMethod.GetPeers, target, (from, _) => seen.Add(from.Id));
        Assert.True(_node.Clock.RunUntil(() => run.IsCompleted, TimeSpan.FromMinutes(1)));

        var lookup = await run;
        Assert.All(_node.Network.Sent, s =>
        {
            Assert.Equal(KrpcMethod.GetPeers, s.Query.Method);
            Assert.Equal(target, s.Query.InfoHash);
        });
        Assert.Equal(lookup.Lookup.Responses, seen.Count);
    }

    [Fact]
    public async Task ACallbackCanEndTheLookupEarly()
    {
        var random = new Random(13);
        for (int i = 0; i < 50; i++)
        {
            _node.Network.Add(NodeId.CreateRandom(random));
        }

        LookupRun? self = null;
        int answers = 0;
        var run = _node.Loop.InvokeAsync(() => _node.Lookups.RunAsync(KrpcMethod.Get, NodeId.CreateRandom(random), (_, _) =>
        {
            answers++;
            self!.Complete(_node.Clock.GetUtcNow());
        }, CancellationToken.None, started: r => self = r));
        Assert.True(_node.Clock.RunUntil(() => run.IsCompleted, TimeSpan.FromMinutes(1)));

        Assert.Equal(1, answers);
        Assert.True((await run).IsDone);
    }

    [Fact]
    public async Task InASmallNetwork_ASilentNode_HoldsTheLookupTheGraceAfterItsSoftTimeout_NotUntilItsHardTimeout()
    {
        _node.Network.SignalsSoftTimeouts = true;
        var random = new Random(16);
        for (int i = 0; i < 3; i++)
        {
            _node.Network.Add(NodeId.CreateRandom(random));
        }

        var silent = _node.Network.Add(NodeId.CreateRandom(random));
        silent.Silent = true;

        var run = Run(KrpcMethod.FindNode, NodeId.CreateRandom(random));
        // No query times out at the end of the grace: the node's timer asks the runner for that deadline and
        // ticks it (DhtEngine does so); here the test is the timer.
        Assert.True(_node.Clock.RunUntil(() => _node.Lookups.NextDeadline != DateTimeOffset.MaxValue, TimeSpan.FromMinutes(1)));
        var graceEnds = _node.Lookups.NextDeadline;
        _node.Clock.RunFor(graceEnds - _node.Clock.GetUtcNow());
        Assert.False(run.IsCompleted);
        Assert.True(_node.Loop.TryEnter());
        try
        {
            _node.Lookups.Tick(_node.Clock.GetUtcNow());
        }
        finally
        {
            _node.Loop.Exit();
        }

        Assert.True(_node.Clock.RunUntil(() => run.IsCompleted, TimeSpan.FromSeconds(1)));

        var lookup = await run;
        Assert.Equal(3, lookup.Lookup.Results.Count);
        Assert.DoesNotContain(silent.Node, lookup.Lookup.Results);
        var took = lookup.Finished - lookup.Started;
        // Its soft timeout (500 ms here) and the 50 ms grace, not its 2 s hard timeout.
        Assert.InRange(took, TimeSpan.FromMilliseconds(550), TimeSpan.FromMilliseconds(600));
        Assert.Equal(DateTimeOffset.MaxValue, _node.Lookups.NextDeadline);
    }

    [Fact]
    public async Task Cancellation_EndsTheLookup_AndItsTaskIsCanceled()
    {
        var random = new Random(14);
        foreach (var remote in Enumerable.Range(0, 10).Select(_ => _node.Network.Add(NodeId.CreateRandom(random))))
        {
            remote.Silent = true;
        }

        using var cts = new CancellationTokenSource();
        var run = Run(KrpcMethod.FindNode, NodeId.CreateRandom(random), cancellationToken: cts.Token);
        _node.Clock.RunFor(TimeSpan.FromMilliseconds(100));
        await cts.CancelAsync(); // from outside the loop: the cancellation is posted to it
        _node.Clock.RunUntilIdle(1000);

        Assert.True(run.IsCanceled);
        Assert.Equal(0, _node.Lookups.Running);
    }

    [Fact]
    public async Task AfterCancelAll_RunningLookupsAreCanceledAndNewOnesRefused()
    {
        var random = new Random(15);
        _node.Network.Add(NodeId.CreateRandom(random)).Silent = true;
        var run = Run(KrpcMethod.FindNode, NodeId.CreateRandom(random));
        Assert.True(_node.Loop.TryEnter());
        try
        {
            _node.Lookups.CancelAll();
        }
        finally
        {
            _node.Loop.Exit();
        }

        Assert.True(run.IsCanceled);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Run(KrpcMethod.FindNode, NodeId.CreateRandom(random)));
    }
}
