namespace Dht;

/// <summary>
/// What a write came to (<see cref="PutResult.Status"/>, <see cref="ItemPutResult.Status"/>,
/// <see cref="AnnounceResult.Status"/>): stored, refused, or not sent because no node answered.
/// </summary>
public enum WriteStatus
{
    /// <summary>
    /// No node answered the lookup before the write, so it was sent nowhere. Usually the node has not joined a
    /// network (see <see cref="DhtNode.BootstrapAsync"/>).
    /// </summary>
    NoNodeAnswered,

    /// <summary>
    /// Nodes answered the lookup, but none accepted the write: each refused it, timed out, or gave no write token
    /// (for named values: none of them serves the extension).
    /// </summary>
    NotStored,

    /// <summary>At least one node accepted the write.</summary>
    Stored,
}
