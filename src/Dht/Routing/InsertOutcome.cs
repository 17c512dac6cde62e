namespace Dht.Routing;

/// <summary>What <see cref="RoutingTable.Heard"/> did with a node, and so what the caller should do next.</summary>
internal enum InsertOutcome
{
    /// <summary>The node was added to its bucket (possibly replacing a bad contact).</summary>
    Inserted,

    /// <summary>The node was already in its bucket; its timestamps were refreshed.</summary>
    Updated,

    /// <summary>
    /// The bucket is full but holds questionable contacts: the node waits in the replacement cache and the
    /// caller should ping <see cref="InsertResult.PingCandidate"/>.
    /// </summary>
    Pending,

    /// <summary>The bucket is full of good contacts and cannot split: the node waits in the replacement cache.</summary>
    Full,

    /// <summary>The node was refused: our own id, an unusable endpoint, or a conflicting id/address pair.</summary>
    Rejected,
}
