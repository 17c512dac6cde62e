using System.Text.Json.Serialization;
using Dht.Telemetry;

namespace Dht.Cli.Reports;

/// <summary>
/// What <c>delete</c> did: its <c>--json</c> object and its line of text. A delete writes a tombstone (a newer
/// version that reads as "not found"), whether or not a value was there: the text says which it was, as far as
/// the nodes that answered know.
/// </summary>
/// <param name="Key">The key name.</param>
/// <param name="Target">SHA-1 of the key name (40 hex digits).</param>
/// <param name="Status"><c>stored</c>, <c>not_stored</c> (nodes answered, none accepted it) or <c>no_node_answered</c> (sent nowhere).</param>
/// <param name="Stored">At least one node accepted the tombstone.</param>
/// <param name="HadValue">The newest version found before the delete was a live value (false: none, or already deleted).</param>
/// <param name="NodesStored">Nodes that accepted it.</param>
/// <param name="NodesAsked">Nodes it was sent to.</param>
/// <param name="Seq">The tombstone's version.</param>
internal sealed record DeleteReport(string Key, string Target, string Status, bool Stored, bool HadValue, int NodesStored, int NodesAsked, long Seq)
{
    /// <summary>The node that ran the command kept the tombstone too (not counted in <see cref="NodesStored"/>).</summary>
    public bool StoredLocally { get; init; }

    /// <summary>Places among the closest nodes written after the command returned (nodes slow to answer, or their stand-ins).</summary>
    public int NodesPending { get; init; }

    /// <summary>Whether the network was reached.</summary>
    [JsonIgnore]
    public bool Reached => Status != Outcomes.NoNodeAnswered;

    public string ToText() =>
        Stored && HadValue ? $"Deleted key '{Key}': tombstone stored at {PutReport.Nodes(NodesStored, StoredLocally)}{PutReport.MoreToFollow(NodesPending)}"
        : Stored ? $"No value found for key '{Key}'; tombstone stored at {PutReport.Nodes(NodesStored, StoredLocally)}{PutReport.MoreToFollow(NodesPending)}"
        : !Reached ? $"Not deleted: no node answered for key '{Key}'"
        : NodesAsked == 0 ? $"Not deleted: no node was found to store the tombstone for key '{Key}'"
        : $"Not deleted: no node accepted the tombstone for key '{Key}' ({NodesAsked} asked)";
}
