namespace Dht.Cli.Reports;

/// <summary>
/// What <c>delete</c> did: its <c>--json</c> object and its line of text. A delete writes a tombstone (a newer
/// version that reads as "not found"); whether a value was there before is not known, so nothing claims it.
/// </summary>
/// <param name="Key">The key name.</param>
/// <param name="Target">SHA-1 of the key name (40 hex digits).</param>
/// <param name="Stored">At least one node accepted the tombstone.</param>
/// <param name="NodesStored">Nodes that accepted it.</param>
/// <param name="NodesAsked">Nodes it was sent to.</param>
/// <param name="Seq">The tombstone's version.</param>
internal sealed record DeleteReport(string Key, string Target, bool Stored, int NodesStored, int NodesAsked, long Seq)
{
    /// <summary>The node that ran the command kept the tombstone too (not counted in <see cref="NodesStored"/>).</summary>
    public bool StoredLocally { get; init; }

    public string ToText() =>
        Stored ? $"Tombstone for key '{Key}' stored at {PutReport.Nodes(NodesStored, StoredLocally)}"
        : NodesAsked == 0 ? $"Not deleted: no node was found to store the tombstone for key '{Key}'"
        : $"Not deleted: no node accepted the tombstone for key '{Key}' ({NodesAsked} asked)";
}
