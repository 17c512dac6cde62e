namespace Dht.Lookups;

/// <summary>Where one candidate node stands in a lookup.</summary>
internal enum LookupNodeState : byte
{
    /// <summary>Known but not asked yet.</summary>
    NotContacted,

    /// <summary>Asked, soft timeout not passed: holds one of the parallel query slots.</summary>
    Waiting,

    /// <summary>
    /// Soft timeout passed without an answer: the slot is free again, and the lookup waits for it only while fewer
    /// than k nodes have answered; an answer before the hard timeout is still accepted and used if the lookup has
    /// not ended.
    /// </summary>
    Unresponsive,

    /// <summary>Answered.</summary>
    Succeeded,

    /// <summary>
    /// Answered, but is not one of the nodes the lookup seeks (a node of another implementation that a named-value
    /// lookup passes through): its nodes are taken, it does not count among the k closest.
    /// </summary>
    Passed,

    /// <summary>Answered with an error, reported failed, or answered past the hard timeout. Never asked again.</summary>
    Failed,

    /// <summary>Never asked: it failed one of our queries recently (see <see cref="ILookupAdvisor"/>).</summary>
    Avoided,
}
