using Dht.Cli.Reports;

namespace Dht.Cli.Tests.Reports;

/// <summary>The reports' lines: "absent" and "no network" never read alike, and a delete says what it found.</summary>
public sealed class ReportTextTests
{
    private const string Target = "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d";

    [Theory]
    [InlineData("found", "Value: world", true)]
    [InlineData("not_found", "Not found: hello", true)]
    [InlineData("deleted", "Not found: hello (deleted)", true)]
    [InlineData("no_node_answered", "No node answered: whether hello exists is unknown", false)]
    public void Get_SaysWhatTheNetworkSaid(string status, string text, bool reached)
    {
        bool found = status == "found";
        var report = new GetReport("hello", ValueKind.Named, status, found, found ? "world" : null, null, found ? 1 : null, status == "deleted", 0, reached ? 3 : 0);

        Assert.Equal((text, reached), (report.ToText(), report.Reached));
    }

    [Theory]
    [InlineData("stored", true, 3, "Deleted key 'k': tombstone stored at 3 nodes", true)]
    [InlineData("stored", false, 1, "No value found for key 'k'; tombstone stored at 1 node", true)]
    [InlineData("not_stored", false, 0, "Not deleted: no node accepted the tombstone for key 'k' (2 asked)", true)]
    [InlineData("no_node_answered", false, 0, "Not deleted: no node answered for key 'k'", false)]
    public void Delete_SaysWhetherThereWasAValue(string status, bool hadValue, int stored, string text, bool reached)
    {
        var report = new DeleteReport("k", Target, status, stored > 0, hadValue, stored, stored > 0 ? stored : 2, 7);

        Assert.Equal((text, reached), (report.ToText(), report.Reached));
    }

    [Fact]
    public void Put_ThatReachedNoOne_SaysSo()
    {
        var report = new PutReport("k", ValueKind.Named, Target, "no_node_answered", false, 0, 0, 1);

        Assert.Equal(("Not stored: no node answered for key 'k'", false), (report.ToText(), report.Reached));
    }

    [Fact]
    public void Put_WithPlacesStillToBeWritten_SaysHowManyFollow()
    {
        var report = new PutReport("k", ValueKind.Named, Target, "stored", true, 6, 6, 1) { StoredLocally = true, NodesPending = 2 };

        Assert.Equal("Stored key 'k' at 7 nodes (this one and 6 others), 2 more to follow", report.ToText());
    }
}
