using Dht.Protocol;
using Dht.Routing;

namespace Dht.Tests.Routing;

public sealed class RoutingTableEvictionTests
{
    private static readonly DateTimeOffset T0 = RoutingTestNodes.T0;
    private readonly RoutingTestNodes _nodes = new(seed: 7);

    [Fact]
    public void Heard_WhenBucketFullOfGoodNodes_ReturnsFullAndCachesTheNode()
    {
        var table = _nodes.NewTable();
        var far = _nodes.FillFarBucket(table, isResponse: true, T0);
        var newcomer = _nodes.WithPrefix(0);

        var result = table.Heard(newcomer, isResponse: true, T0);

        Assert.Equal(new InsertResult(InsertOutcome.Full), result);
        Assert.False(table.TryGet(newcomer.Id, out _));
        Assert.Equal([newcomer], table.Replacements.Select(c => c.Node));
        Assert.All(far, n => Assert.True(table.TryGet(n.Id, out _)));
    }

    [Fact]
    public void Heard_WhenBucketFullWithQuestionableNodes_ReturnsPendingWithLeastRecentlySeenQuestionable()
    {
        var table = _nodes.NewTable();
        var far = _nodes.FillFarBucket(table, isResponse: true, T0);
        var later = T0 + TimeSpan.FromMinutes(10);
        foreach (var node in far.Take(3))
        {
            table.Heard(node, isResponse: true, later); // good until later + 15 min, and now most recently seen
        }

        var atCheck = T0 + TimeSpan.FromMinutes(16); // the five not heard since T0 are questionable
        var newcomer = _nodes.WithPrefix(0);
        var result = table.Heard(newcomer, isResponse: true, atCheck);

        Assert.Equal(new InsertResult(InsertOutcome.Pending, far[3]), result);
        Assert.Equal([newcomer], table.Replacements.Select(c => c.Node));
        Assert.False(table.TryGet(newcomer.Id, out _));
    }

    [Fact]
    public void Heard_WhenOnlyAMoreRecentContactIsQuestionable_OffersThatOne()
    {
        var table = _nodes.NewTable();
        var far = _nodes.FillFarBucket(table, isResponse: true, T0);
        table.Failed(far[5], T0);

        var result = table.Heard(_nodes.WithPrefix(0), isResponse: true, T0);

        Assert.Equal(new InsertResult(InsertOutcome.Pending, far[5]), result);
    }

    [Fact]
    public void Heard_WhenPingCandidateAlreadyPinged_OffersTheNextQuestionable()
    {
        var table = _nodes.NewTable();
        var far = _nodes.FillFarBucket(table, isResponse: false, T0);
        table.MarkPinged(far[0].Id, T0);

        var result = table.Heard(_nodes.WithPrefix(0), isResponse: true, T0 + TimeSpan.FromSeconds(1));

        Assert.Equal(new InsertResult(InsertOutcome.Pending, far[1]), result);
    }

    [Fact]
    public void Heard_WhenEveryQuestionableHasAPingOutstanding_ReturnsPendingWithoutCandidate()
    {
        var table = _nodes.NewTable();
        var far = _nodes.FillFarBucket(table, isResponse: false, T0);
        foreach (var node in far)
        {
            table.MarkPinged(node.Id, T0);
        }

        var soon = table.Heard(_nodes.WithPrefix(0), isResponse: true, T0 + TimeSpan.FromSeconds(9));
        var afterRetryInterval = table.Heard(_nodes.WithPrefix(0), isResponse: true, T0 + TimeSpan.FromSeconds(10));

        Assert.Equal(new InsertResult(InsertOutcome.Pending), soon);
        Assert.Equal(new InsertResult(InsertOutcome.Pending, far[0]), afterRetryInterval);
    }

    [Fact]
    public void Heard_WhenBucketHasBadContact_ReplacesItWithTheNewNode()
    {
        var table = _nodes.NewTable();
        var far = _nodes.FillFarBucket(table, isResponse: true, T0);
        table.Failed(far[2], T0);
        table.Failed(far[2], T0);
        var newcomer = _nodes.WithPrefix(0);

        var result = table.Heard(newcomer, isResponse: false, T0 + TimeSpan.FromSeconds(1));

        Assert.Equal(new InsertResult(InsertOutcome.Inserted), result);
        Assert.False(table.TryGet(far[2].Id, out _));
        Assert.True(table.TryGet(newcomer.Id, out _));
        Assert.Equal(newcomer, table.Contacts.Where(c => table.BucketIndexOf(c.Id) == 0).Last().Node);
        Assert.Equal(9, table.Count);
    }

    [Fact]
    public void Failed_WithAReplacementWaiting_SwapsTheContactForTheMostRecentlySeenOneAtTheFirstFailure()
    {
        var table = _nodes.NewTable();
        var far = _nodes.FillFarBucket(table, isResponse: false, T0);
        var older = _nodes.WithPrefix(0);
        var newer = _nodes.WithPrefix(0);
        Assert.Equal(new InsertResult(InsertOutcome.Pending, far[0]), table.Heard(older, isResponse: true, T0 + TimeSpan.FromSeconds(1)));
        Assert.Equal(new InsertResult(InsertOutcome.Pending, far[0]), table.Heard(newer, isResponse: true, T0 + TimeSpan.FromSeconds(2)));

        table.MarkPinged(far[0].Id, T0 + TimeSpan.FromSeconds(2));
        table.Failed(far[0], T0 + TimeSpan.FromSeconds(4));

        Assert.False(table.TryGet(far[0].Id, out _));
        Assert.True(table.TryGet(newer.Id, out var promoted));
        Assert.Equal(T0 + TimeSpan.FromSeconds(2), promoted.LastResponse);
        Assert.Equal([older], table.Replacements.Select(c => c.Node));
        Assert.Equal(9, table.Count);

        // Seen after every other contact of the bucket, so it sits at the most-recent end.
        Assert.Equal(newer, table.Contacts.Where(c => table.BucketIndexOf(c.Id) == 0).Last().Node);
    }

    [Fact]
    public void Failed_WithoutReplacements_KeepsTheContactQuestionableThenBadAndFindClosestSkipsItOnceBad()
    {
        var table = _nodes.NewTable();
        var node = _nodes.AnyNode();
        table.Heard(node, isResponse: true, T0);

        table.Failed(node, T0);
        Assert.True(table.TryGet(node.Id, out var contact));
        Assert.Equal(ContactState.Questionable, contact.State(T0, table.Options));
        table.Failed(node, T0);

        Assert.True(table.TryGet(node.Id, out _));
        var closest = new List<NodeInfo>();
        table.FindClosest(node.Id, 8, closest);
        Assert.Empty(closest);
    }

    [Fact]
    public void Failed_UnknownNode_ChangesNothing()
    {
        var table = _nodes.NewTable();
        var node = _nodes.AnyNode();
        table.Heard(node, isResponse: true, T0);

        table.Failed(_nodes.AnyNode(), T0);

        Assert.Equal(1, table.Count);
        Assert.True(table.TryGet(node.Id, out var contact));
        Assert.Equal(0, contact.FailedQueries);
    }

    [Fact]
    public void Failed_AtAnotherAddressThanTheContacts_DoesNotCountAgainstIt()
    {
        var table = _nodes.NewTable();
        var node = _nodes.AnyNode();
        table.Heard(node, isResponse: true, T0);

        table.Failed(node with { EndPoint = _nodes.NextEndPoint() }, T0);

        Assert.True(table.TryGet(node.Id, out var contact));
        Assert.Equal(0, contact.FailedQueries);
    }

    [Fact]
    public void Failed_ReplacementCandidate_DropsItFromTheCache()
    {
        var table = _nodes.NewTable();
        _nodes.FillFarBucket(table, isResponse: true, T0);
        var newcomer = _nodes.WithPrefix(0);
        table.Heard(newcomer, isResponse: false, T0);
        Assert.Equal(1, table.ReplacementCount);

        table.Failed(newcomer, T0);

        Assert.Equal(0, table.ReplacementCount);
    }

    [Fact]
    public void ReplacementCache_KeepsTheMostRecentUpToItsSizeAndUpdatesDuplicates()
    {
        var table = _nodes.NewTable(new RoutingTableOptions { ReplacementCacheSize = 3 });
        _nodes.FillFarBucket(table, isResponse: true, T0);
        var newcomers = Enumerable.Range(0, 5).Select(_ => _nodes.WithPrefix(0)).ToList();
        for (int i = 0; i < newcomers.Count; i++)
        {
            Assert.Equal(InsertOutcome.Full, table.Heard(newcomers[i], isResponse: true, T0 + TimeSpan.FromSeconds(i)).Outcome);
        }

        Assert.Equal([newcomers[2], newcomers[3], newcomers[4]], table.Replacements.Select(c => c.Node));

        table.Heard(newcomers[2], isResponse: false, T0 + TimeSpan.FromSeconds(10));

        Assert.Equal([newcomers[3], newcomers[4], newcomers[2]], table.Replacements.Select(c => c.Node));
        Assert.Equal(T0 + TimeSpan.FromSeconds(10), table.Replacements.Last().LastSeen);
    }

    [Fact]
    public void ReplacementCache_WhenSizeIsZero_KeepsNothing()
    {
        var table = _nodes.NewTable(new RoutingTableOptions { ReplacementCacheSize = 0 });
        var far = _nodes.FillFarBucket(table, isResponse: false, T0);

        var result = table.Heard(_nodes.WithPrefix(0), isResponse: true, T0);

        Assert.Equal(new InsertResult(InsertOutcome.Pending, far[0]), result);
        Assert.Equal(0, table.ReplacementCount);
    }

    [Fact]
    public void Remove_AfterABadContactWasSwapped_PromotesTheNextWaitingCandidate()
    {
        var table = _nodes.NewTable();
        var far = _nodes.FillFarBucket(table, isResponse: true, T0);
        var older = _nodes.WithPrefix(0);
        var newer = _nodes.WithPrefix(0);
        table.Heard(older, isResponse: true, T0 + TimeSpan.FromSeconds(1));
        table.Heard(newer, isResponse: true, T0 + TimeSpan.FromSeconds(2));
        table.Failed(far[0], T0 + TimeSpan.FromSeconds(3));
        table.Failed(far[0], T0 + TimeSpan.FromSeconds(4));
        Assert.True(table.TryGet(newer.Id, out _));

        Assert.True(table.Remove(far[1].Id));

        Assert.True(table.TryGet(older.Id, out _));
        Assert.Equal(0, table.ReplacementCount);
        Assert.Equal(9, table.Count);
    }

    [Fact]
    public void Remove_ContactInBucket_PromotesMostRecentReplacement()
    {
        var table = _nodes.NewTable();
        var far = _nodes.FillFarBucket(table, isResponse: true, T0);
        var older = _nodes.WithPrefix(0);
        var newer = _nodes.WithPrefix(0);
        table.Heard(older, isResponse: true, T0 + TimeSpan.FromSeconds(1));
        table.Heard(newer, isResponse: true, T0 + TimeSpan.FromSeconds(2));

        Assert.True(table.Remove(far[4].Id));

        Assert.False(table.TryGet(far[4].Id, out _));
        Assert.True(table.TryGet(newer.Id, out _));
        Assert.Equal([older], table.Replacements.Select(c => c.Node));
        Assert.Equal(9, table.Count);
    }

    [Fact]
    public void Remove_ReplacementCandidate_DropsIt()
    {
        var table = _nodes.NewTable();
        _nodes.FillFarBucket(table, isResponse: true, T0);
        var newcomer = _nodes.WithPrefix(0);
        table.Heard(newcomer, isResponse: true, T0);

        Assert.True(table.Remove(newcomer.Id));
        Assert.Equal(0, table.ReplacementCount);
        Assert.False(table.Remove(newcomer.Id));
    }

    [Fact]
    public void Remove_UnknownId_ReturnsFalse()
    {
        var table = _nodes.NewTable();
        table.Heard(_nodes.AnyNode(), isResponse: true, T0);

        Assert.False(table.Remove(_nodes.AnyNode().Id));
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void PendingFlow_WhenPingedContactFails_TheMostRecentNewcomerTakesItsSlotAtOnce()
    {
        var table = _nodes.NewTable();
        var far = _nodes.FillFarBucket(table, isResponse: true, T0);
        var now = T0 + TimeSpan.FromMinutes(20); // every contact is questionable by now
        var newcomer = _nodes.WithPrefix(0);

        var first = table.Heard(newcomer, isResponse: true, now);
        Assert.Equal(new InsertResult(InsertOutcome.Pending, far[0]), first);
        table.MarkPinged(far[0].Id, now);

        // While the ping is outstanding, a later newcomer is told to ping another contact.
        var later = _nodes.WithPrefix(0);
        Assert.Equal(far[1], table.Heard(later, isResponse: true, now + TimeSpan.FromSeconds(1)).PingCandidate);

        table.Failed(far[0], now + TimeSpan.FromSeconds(2));

        Assert.False(table.TryGet(far[0].Id, out _));
        Assert.True(table.TryGet(later.Id, out _));
        Assert.Equal([newcomer], table.Replacements.Select(c => c.Node));
    }

    [Fact]
    public void PendingFlow_WhenPingedContactAnswers_ItStaysAndTheNewcomerWaits()
    {
        var table = _nodes.NewTable();
        var far = _nodes.FillFarBucket(table, isResponse: false, T0);
        var newcomer = _nodes.WithPrefix(0);
        var pending = table.Heard(newcomer, isResponse: true, T0);
        Assert.Equal(far[0], pending.PingCandidate);
        table.MarkPinged(far[0].Id, T0);

        table.Heard(far[0], isResponse: true, T0 + TimeSpan.FromSeconds(1));

        Assert.True(table.TryGet(far[0].Id, out var contact));
        Assert.Null(contact.PingSentAt);
        Assert.Equal(ContactState.Good, contact.State(T0 + TimeSpan.FromSeconds(1), table.Options));
        Assert.Equal([newcomer], table.Replacements.Select(c => c.Node));
        Assert.Equal(far[1], table.Heard(_nodes.WithPrefix(0), isResponse: true, T0 + TimeSpan.FromSeconds(1)).PingCandidate);
    }

    [Fact]
    public void QuestionableToPing_ReturnsQuestionableContactsWithoutOutstandingPing()
    {
        var table = _nodes.NewTable();
        var questionable = _nodes.Fill(table, 0, 3, isResponse: false, T0);
        _nodes.Fill(table, 0, 2, isResponse: true, T0);
        var into = new List<NodeInfo> { _nodes.AnyNode() };

        table.QuestionableToPing(T0, 10, into);
        Assert.Equal(questionable, into);

        table.MarkPinged(questionable[1].Id, T0);
        table.QuestionableToPing(T0 + TimeSpan.FromSeconds(5), 10, into);
        Assert.Equal([questionable[0], questionable[2]], into);

        table.QuestionableToPing(T0 + TimeSpan.FromSeconds(10), 10, into);
        Assert.Equal(questionable, into);

        table.QuestionableToPing(T0 + TimeSpan.FromSeconds(10), 2, into);
        Assert.Equal(questionable.Take(2), into);
    }

    [Fact]
    public void QuestionableToPing_AfterPingFails_OffersTheContactAgainAtOnce()
    {
        var table = _nodes.NewTable();
        var node = _nodes.AnyNode();
        table.Heard(node, isResponse: false, T0);
        table.MarkPinged(node.Id, T0);
        var into = new List<NodeInfo>();

        table.QuestionableToPing(T0 + TimeSpan.FromSeconds(1), 10, into);
        Assert.Empty(into);

        table.Failed(node, T0 + TimeSpan.FromSeconds(2));
        table.QuestionableToPing(T0 + TimeSpan.FromSeconds(2), 10, into);
        Assert.Equal([node], into);
    }

    [Fact]
    public void QuestionableToPing_SkipsGoodAndBadContacts()
    {
        var table = _nodes.NewTable();
        var good = _nodes.AnyNode();
        var bad = _nodes.AnyNode();
        table.Heard(good, isResponse: true, T0);
        table.Heard(bad, isResponse: true, T0);
        table.Failed(bad, T0);
        table.Failed(bad, T0);
        var into = new List<NodeInfo>();

        table.QuestionableToPing(T0, 10, into);
        Assert.Empty(into);

        table.QuestionableToPing(T0 + TimeSpan.FromMinutes(15), 10, into);
        Assert.Equal([good], into);
    }
}
