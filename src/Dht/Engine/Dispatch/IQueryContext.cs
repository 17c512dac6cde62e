using Dht.Protocol;

namespace Dht.Engine.Dispatch;

/// <summary>What a query handler sees of the node while it answers one query.</summary>
internal interface IQueryContext
{
    /// <summary>Where the query came from.</summary>
    NetEndPoint Source { get; }

    /// <summary>The time the query is handled at.</summary>
    DateTimeOffset Now { get; }

    /// <summary>The node's random source (for sampling, never for secrets).</summary>
    Random Random { get; }

    /// <summary>True when <paramref name="token"/> is a write token we handed to the query's source.</summary>
    bool ValidateToken(ReadOnlySpan<byte> token);

    /// <summary>A write token for the query's source, valid until the next query is handled.</summary>
    ReadOnlyMemory<byte> WriteToken();

    /// <summary>
    /// The k verified contacts (they answered one of our queries recently) closest to <paramref name="target"/>
    /// as compact "nodes" (valid until the next query is handled), leaving out the querier: it
    /// knows itself, and when it is among the k closest its slot is the one that names the k-th node
    /// (rust-libp2p's find_closest does the same). <paramref name="servingExtensionOnly"/>: for our extension's
    /// queries, only contacts that serve it (the k closest of them among the 4 k closest), so that a lookup for a
    /// named value converges on the nodes that hold named values even where they are few, and may ask the nodes
    /// listed our extension's method at once.
    /// </summary>
    ReadOnlyMemory<byte> ClosestNodes(NodeId target, bool servingExtensionOnly = false);
}
