namespace Dht.Cli.Reports;

/// <summary>What <c>get</c> found: its <c>--json</c> object and its line of text.</summary>
/// <param name="Key">The key as given.</param>
/// <param name="Kind"><c>named</c>, <c>immutable</c> or <c>signed</c>.</param>
/// <param name="Found">A live value was found.</param>
/// <param name="Value">The value as UTF-8 text (invalid sequences as U+FFFD); null when not found.</param>
/// <param name="ValueBase64">The value's exact bytes; null when not found.</param>
/// <param name="Seq">The version found (a deleted key's tombstone too); null when none.</param>
/// <param name="Deleted">A tombstone was found: the key was deleted.</param>
/// <param name="NodesWithValue">Nodes that answered with the version found.</param>
internal sealed record GetReport(string Key, string Kind, bool Found, string? Value, string? ValueBase64, long? Seq, bool Deleted, int NodesWithValue)
{
    public string ToText() => (Found, Kind, Deleted) switch
    {
        (true, ValueKind.Signed, _) => $"Value: {Value} (seq {Seq})",
        (true, _, _) => $"Value: {Value}",
        (false, _, true) => $"Not found: {Key} (deleted)",
        _ => $"Not found: {Key}",
    };
}
