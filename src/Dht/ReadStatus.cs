namespace Dht;

/// <summary>
/// What a read came to (<see cref="GetResult.Status"/>, <see cref="ItemGetResult.Status"/>): found, absent, or
/// unknown because no node answered.
/// </summary>
public enum ReadStatus
{
    /// <summary>
    /// No node answered the lookup (none known yet, or every one timed out), and this node holds nothing for the
    /// key: whether it exists is unknown. Usually the node has not joined a network (see <see cref="DhtNode.BootstrapAsync"/>).
    /// </summary>
    NoNodeAnswered,

    /// <summary>Nodes answered, and none held the key.</summary>
    NotFound,

    /// <summary>A live value was found.</summary>
    Found,

    /// <summary>The newest version found is a tombstone: the key was deleted (named values only).</summary>
    Deleted,
}
