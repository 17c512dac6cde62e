using System.Text.Json.Serialization;
using Dht.Telemetry;

namespace Dht.Cli.Reports;

/// <summary>What <c>put</c> stored: its <c>--json</c> object and its line of text.</summary>
/// <param name="Key">The key name; PUBKEY/NAME for a signed value; the hash for an immutable item.</param>
/// <param name="Kind"><c>named</c>, <c>immutable</c> or <c>signed</c>.</param>
/// <param name="Target">Where the value lives in the keyspace (40 hex digits).</param>
/// <param name="Status"><c>stored</c>, <c>not_stored</c> (nodes answered, none accepted it) or <c>no_node_answered</c> (sent nowhere).</param>
/// <param name="Stored">At least one node accepted it.</param>
/// <param name="NodesStored">Nodes that accepted it.</param>
/// <param name="NodesAsked">Nodes it was sent to.</param>
/// <param name="Seq">The version written; null for an immutable item.</param>
internal sealed record PutReport(string Key, string Kind, string Target, string Status, bool Stored, int NodesStored, int NodesAsked, long? Seq)
{
    /// <summary>The node that ran the command kept a copy too (not counted in <see cref="NodesStored"/>).</summary>
    public bool StoredLocally { get; init; }

    /// <summary>Places among the closest nodes written after the command returned (nodes slow to answer, or their stand-ins).</summary>
    public int NodesPending { get; init; }

    /// <summary>Whether the network was reached.</summary>
    [JsonIgnore]
    public bool Reached => Status != Outcomes.NoNodeAnswered;

    public string ToText()
    {
        string what = Kind == ValueKind.Immutable ? $"immutable item {Key}" : $"key '{Key}'";
        if (!Stored)
        {
            return !Reached ? $"Not stored: no node answered for {what}"
                : NodesAsked == 0 ? $"Not stored: no node was found to store {what}"
                : $"Not stored: no node accepted {what} ({NodesAsked} asked)";
        }

        string where = Nodes(NodesStored, StoredLocally) + MoreToFollow(NodesPending);
        return Kind == ValueKind.Signed ? $"Stored {what} at {where} (seq {Seq})" : $"Stored {what} at {where}";
    }

    /// <summary>", 2 more to follow" for places written after the command returned; nothing when there are none.</summary>
    public static string MoreToFollow(int pending) => pending > 0 ? $", {pending} more to follow" : "";

    /// <summary>"3 nodes"; with this node's own copy, "1 node (this one)" or "4 nodes (this one and 3 others)".</summary>
    public static string Nodes(int others, bool local) => !local
        ? others == 1 ? "1 node" : $"{others} nodes"
        : others == 0 ? "1 node (this one)" : $"{others + 1} nodes (this one and {others} {(others == 1 ? "other" : "others")})";
}
