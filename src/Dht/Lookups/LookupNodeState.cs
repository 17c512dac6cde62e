namespace Dht.Lookups;

/// <summary>Where one candidate node stands in a lookup.</summary>
internal enum LookupNodeState : byte
{
    /// <summary>Known but not asked yet.</summary>
    NotContacted,

    /// <summary>Asked, soft timeout not passed: holds one of the parallel query slots.</summary>
    Waiting,

    /// <summary>
    /// Soft timeout passed without an answer: the slot is free again, but an answer before the hard timeout is
    /// still accepted and used.
    /// </summary>
    Unresponsive,

    /// <summary>Answered.</summary>
    Succeeded,

    /// <summary>Answered with an error, reported failed, or silent past the hard timeout. Never asked again.</summary>
    Failed,
}
