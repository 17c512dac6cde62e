// The names of the tags (OpenTelemetry attributes) on the node's instruments and spans, in one place so that
// the README's table, the tests and the code agree. Names follow the OpenTelemetry conventions: a "dht."
// namespace, dots between levels, snake_case within one; the network's own tags reuse the general ones.
namespace Dht.Telemetry;

/// <summary>Tag names of the meter "Dht" and the activity source "Dht".</summary>
internal static class TelemetryTags
{
    /// <summary>The node's id (40 hex digits): on every measurement and span, so that nodes of one process can be told apart.</summary>
    public const string Node = "dht.node";

    /// <summary>The KRPC method of a query or lookup (<c>find_node</c>, <c>get_peers</c>, <c>get</c>, <c>find_value</c>...).</summary>
    public const string Method = "dht.method";

    /// <summary>The application's operation (<see cref="OperationNames"/>).</summary>
    public const string Operation = "dht.operation";

    /// <summary>What an operation or lookup came to (<see cref="Outcomes"/>).</summary>
    public const string Outcome = "dht.outcome";

    /// <summary>A named value's key.</summary>
    public const string Key = "dht.key";

    /// <summary>The id an operation or lookup is about (40 hex digits): a key's SHA-1, an item's target, an info-hash.</summary>
    public const string Target = "dht.target";

    /// <summary>Nodes a lookup or write asked.</summary>
    public const string NodesAsked = "dht.nodes.asked";

    /// <summary>Nodes that answered a lookup or write.</summary>
    public const string NodesAnswered = "dht.nodes.answered";

    /// <summary>Nodes that answered the lookup before a write.</summary>
    public const string NodesReached = "dht.nodes.reached";

    /// <summary>Nodes that accepted a write.</summary>
    public const string NodesStored = "dht.nodes.stored";

    /// <summary>Places among the closest a write fills after it returned (nodes overtaken in its lookup).</summary>
    public const string NodesPending = "dht.nodes.pending";

    /// <summary>Nodes that answered a read with the version returned.</summary>
    public const string NodesWithValue = "dht.nodes.with_value";

    /// <summary>Hops of a lookup: how far from its first contacts its results were found.</summary>
    public const string Rounds = "dht.lookup.rounds";

    /// <summary>Queries a lookup sent.</summary>
    public const string Queries = "dht.lookup.queries";

    /// <summary>Peers a get_peers operation found.</summary>
    public const string Peers = "dht.peers";

    /// <summary>Which store a storage measurement is about: <c>named_value</c> or <c>item</c>.</summary>
    public const string Store = "dht.store";

    /// <summary>A routing-table contact's BEP 5 state: <c>good</c>, <c>questionable</c> or <c>bad</c>.</summary>
    public const string ContactState = "dht.contact.state";

    /// <summary>The remote address of a ping (OpenTelemetry's general network attribute).</summary>
    public const string PeerAddress = "network.peer.address";

    /// <summary>The remote port of a ping (OpenTelemetry's general network attribute).</summary>
    public const string PeerPort = "network.peer.port";

    /// <summary>The type of the exception that ended an operation (OpenTelemetry's general error attribute).</summary>
    public const string ErrorType = "error.type";
}
