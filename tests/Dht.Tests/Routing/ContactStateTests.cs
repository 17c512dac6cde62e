using Dht.Routing;

namespace Dht.Tests.Routing;

public sealed class ContactStateTests
{
    private static readonly DateTimeOffset T0 = RoutingTestNodes.T0;
    private readonly RoutingTestNodes _nodes = new();

    [Fact]
    public void Heard_Response_MakesContactGood()
    {
        var table = _nodes.NewTable();
        var node = _nodes.AnyNode();

        table.Heard(node, isResponse: true, T0);

        Assert.True(table.TryGet(node.Id, out var contact));
        Assert.Equal(ContactState.Good, contact.State(T0, table.Options));
        Assert.Equal(T0, contact.LastResponse);
        Assert.Equal(T0, contact.LastSeen);
    }

    [Fact]
    public void Heard_QueryFromNodeThatNeverAnswered_InsertsItAsQuestionable()
    {
        var table = _nodes.NewTable();
        var node = _nodes.AnyNode();

        var result = table.Heard(node, isResponse: false, T0);

        Assert.Equal(InsertOutcome.Inserted, result.Outcome);
        Assert.True(table.TryGet(node.Id, out var contact));
        Assert.Null(contact.LastResponse);
        Assert.Equal(ContactState.Questionable, contact.State(T0, table.Options));
    }

    [Fact]
    public void State_WhenSilentForGoodWindow_BecomesQuestionable()
    {
        var table = _nodes.NewTable();
        var node = _nodes.AnyNode();
        table.Heard(node, isResponse: true, T0);
        Assert.True(table.TryGet(node.Id, out var contact));

        Assert.Equal(ContactState.Good, contact.State(T0 + TimeSpan.FromMinutes(15) - TimeSpan.FromSeconds(1), table.Options));
        Assert.Equal(ContactState.Questionable, contact.State(T0 + TimeSpan.FromMinutes(15), table.Options));
    }

    [Fact]
    public void State_WhenNodeThatAnsweredBeforeQueriesUs_IsGoodAgain()
    {
        var table = _nodes.NewTable();
        var node = _nodes.AnyNode();
        table.Heard(node, isResponse: true, T0);
        var later = T0 + TimeSpan.FromMinutes(40);

        Assert.Equal(InsertOutcome.Updated, table.Heard(node, isResponse: false, later).Outcome);

        Assert.True(table.TryGet(node.Id, out var contact));
        Assert.Equal(ContactState.Good, contact.State(later + TimeSpan.FromMinutes(14), table.Options));
        Assert.Equal(ContactState.Questionable, contact.State(later + TimeSpan.FromMinutes(15), table.Options));
    }

    [Fact]
    public void State_WhenQueryOnlyNodeKeepsQueryingUs_StaysQuestionable()
    {
        var table = _nodes.NewTable();
        var node = _nodes.AnyNode();
        table.Heard(node, isResponse: false, T0);

        table.Heard(node, isResponse: false, T0 + TimeSpan.FromMinutes(1));

        Assert.True(table.TryGet(node.Id, out var contact));
        Assert.Equal(ContactState.Questionable, contact.State(T0 + TimeSpan.FromMinutes(1), table.Options));
    }

    [Fact]
    public void Failed_Once_MakesGoodContactQuestionable()
    {
        var table = _nodes.NewTable();
        var node = _nodes.AnyNode();
        table.Heard(node, isResponse: true, T0);

        table.Failed(node, T0 + TimeSpan.FromSeconds(2));

        Assert.True(table.TryGet(node.Id, out var contact));
        Assert.Equal(1, contact.FailedQueries);
        Assert.Equal(ContactState.Questionable, contact.State(T0 + TimeSpan.FromSeconds(2), table.Options));
    }

    [Fact]
    public void Failed_MaxFailuresInARow_MakesContactBad()
    {
        var table = _nodes.NewTable(new RoutingTableOptions { MaxFailuresBeforeBad = 3 });
        var node = _nodes.AnyNode();
        table.Heard(node, isResponse: true, T0);
        Assert.True(table.TryGet(node.Id, out var contact));

        table.Failed(node, T0);
        table.Failed(node, T0);
        Assert.Equal(ContactState.Questionable, contact.State(T0, table.Options));

        table.Failed(node, T0);
        Assert.Equal(ContactState.Bad, contact.State(T0, table.Options));
    }

    [Fact]
    public void Heard_ResponseAfterFailures_ResetsFailuresAndMakesContactGood()
    {
        var table = _nodes.NewTable();
        var node = _nodes.AnyNode();
        table.Heard(node, isResponse: true, T0);
        table.Failed(node, T0);
        table.Failed(node, T0);
        Assert.True(table.TryGet(node.Id, out var contact));
        Assert.Equal(ContactState.Bad, contact.State(T0, table.Options));

        table.Heard(node, isResponse: true, T0 + TimeSpan.FromMinutes(1));

        Assert.Equal(0, contact.FailedQueries);
        Assert.Equal(ContactState.Good, contact.State(T0 + TimeSpan.FromMinutes(1), table.Options));
    }

    [Fact]
    public void Heard_QueryAfterFailures_DoesNotResetFailures()
    {
        var table = _nodes.NewTable();
        var node = _nodes.AnyNode();
        table.Heard(node, isResponse: true, T0);
        table.Failed(node, T0);
        table.Failed(node, T0);

        table.Heard(node, isResponse: false, T0 + TimeSpan.FromMinutes(1));

        Assert.True(table.TryGet(node.Id, out var contact));
        Assert.Equal(2, contact.FailedQueries);
        Assert.Equal(ContactState.Bad, contact.State(T0 + TimeSpan.FromMinutes(1), table.Options));
    }
}
