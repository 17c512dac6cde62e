using Dht.Protocol;
using Dht.Routing;

namespace Dht.Tests.Routing;

/// <summary>
/// A newcomer to a full replacement cache reuses the object of the candidate it pushes out: nothing of that
/// candidate may show through, and a stream of new nodes into full buckets allocates nothing.
/// </summary>
public sealed class RoutingTableReplacementReuseTests
{
    private static readonly DateTimeOffset T0 = RoutingTestNodes.T0;
    private readonly RoutingTestNodes _nodes = new(seed: 11);

    [Fact]
    public void Heard_NewcomerPushingOutACandidate_KeepsNothingTheCandidateShowed()
    {
        var table = _nodes.NewTable(new RoutingTableOptions { ReplacementCacheSize = 1 });
        var far = _nodes.FillFarBucket(table, isResponse: true, T0);
        var answered = _nodes.WithPrefix(0);
        table.Heard(answered, isResponse: true, T0, TimeSpan.FromMilliseconds(80));
        var newcomer = _nodes.WithPrefix(0);
        var later = T0 + TimeSpan.FromSeconds(5);

        Assert.Equal(InsertOutcome.Full, table.Heard(newcomer, isResponse: false, later).Outcome);
        table.Failed(far[0], later); // swaps the failing contact for the one candidate

        Assert.True(table.TryGet(newcomer.Id, out var promoted));
        Assert.Equal(newcomer, promoted.Node);
        Assert.Equal(later, promoted.LastSeen);
        Assert.Null(promoted.LastResponse);
        Assert.Null(promoted.PingSentAt);
        Assert.Equal(0, promoted.FailedQueries);
        Assert.False(promoted.RoundTrip.IsMeasured);
        Assert.Equal(ExtensionSupport.Unknown, promoted.Extension);
        Assert.Equal(ContactState.Questionable, promoted.State(later, table.Options));
        Assert.False(table.TryGet(answered.Id, out _));
        Assert.Equal(0, table.ReplacementCount);
    }

    [Fact]
    public void Heard_NewNodesIntoFullBucketsAndCaches_AllocatesNothing()
    {
        var table = _nodes.NewTable();
        _nodes.FillFarBucket(table, isResponse: true, T0);
        const int PerRound = 256;
        var newcomers = Enumerable.Range(0, 8 * PerRound).Select(_ => _nodes.WithPrefix(0)).ToArray();

        // Three rounds to warm up, then up to five measured: while the runtime swaps in optimised code for the
        // methods just called, it may allocate on the calling thread, so one round of them allocating nothing
        // is the evidence (before the reuse, every round allocated a contact per newcomer).
        var allocated = new List<long>();
        for (int round = 0; round < 8 && !allocated.Contains(0); round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = round * PerRound; i < (round + 1) * PerRound; i++)
            {
                table.Heard(newcomers[i], isResponse: false, T0);
            }

            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            if (round >= 3)
            {
                allocated.Add(bytes);
            }
        }

        Assert.Contains(0, allocated);
        Assert.Equal(table.Options.ReplacementCacheSize, table.ReplacementCount);
        Assert.Equal(9, table.Count); // the far bucket's 8 and the node that split it off: no newcomer took a slot
    }
}
