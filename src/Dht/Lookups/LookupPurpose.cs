namespace Dht.Lookups;

/// <summary>What a lookup's result is for, which decides whether it waits for a node that lags behind the others.</summary>
internal enum LookupPurpose : byte
{
    /// <summary>
    /// The k closest responsive nodes, or what they hold: the lookup waits for each asked node among them until its
    /// soft timeout.
    /// </summary>
    Read,

    /// <summary>
    /// The nodes to write to: the lookup ends as soon as only laggards stand between it and the k closest that
    /// answered, and a laggard that answers later is written to late (LookupRun, WritePath).
    /// </summary>
    Write,
}
