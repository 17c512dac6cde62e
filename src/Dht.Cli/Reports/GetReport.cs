using System.Text.Json.Serialization;
using Dht.Telemetry;

namespace Dht.Cli.Reports;

/// <summary>What <c>get</c> found: its <c>--json</c> object and its line of text.</summary>
/// <param name="Key">The key as given.</param>
/// <param name="Kind"><c>named</c>, <c>immutable</c> or <c>signed</c>.</param>
/// <param name="Status"><c>found</c>, <c>not_found</c> (nodes answered, none held it), <c>deleted</c> or <c>no_node_answered</c> (unknown).</param>
/// <param name="Found">A live value was found.</param>
/// <param name="Value">The value as UTF-8 text (invalid sequences as U+FFFD); null when not found.</param>
/// <param name="ValueBase64">The value's exact bytes; null when not found.</param>
/// <param name="Seq">The version found (a deleted key's tombstone too); null when none.</param>
/// <param name="Deleted">A tombstone was found: the key was deleted.</param>
/// <param name="NodesWithValue">Nodes that answered with the version found.</param>
/// <param name="NodesAnswered">Nodes that answered the lookup.</param>
internal sealed record GetReport(
    string Key, string Kind, string Status, bool Found, string? Value, string? ValueBase64, long? Seq, bool Deleted, int NodesWithValue, int NodesAnswered)
{
    /// <summary>Whether the network was reached: without an answer, "not found" is not known.</summary>
    [JsonIgnore]
    public bool Reached => Status != Outcomes.NoNodeAnswered;

    public string ToText() => (Status, Kind) switch
    {
        (Outcomes.Found, ValueKind.Signed) => $"Value: {Value} (seq {Seq})",
        (Outcomes.Found, _) => $"Value: {Value}",
        (Outcomes.Deleted, _) => $"Not found: {Key} (deleted)",
        (Outcomes.NoNodeAnswered, _) => $"No node answered: whether {Key} exists is unknown",
        _ => $"Not found: {Key}",
    };
}
