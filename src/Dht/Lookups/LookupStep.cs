using Dht.Protocol;

namespace Dht.Lookups;

/// <summary>
/// One instruction from a lookup to its runner. <see cref="Node"/> is meaningful only for
/// <see cref="LookupStepKind.Query"/>; <see cref="WakeAt"/> is the time <c>Next</c> was called for a query (so
/// "now": ask again at once) and the next deadline for <see cref="LookupStepKind.Waiting"/>.
/// </summary>
internal readonly record struct LookupStep(LookupStepKind Kind, NodeInfo Node, DateTimeOffset WakeAt)
{
    /// <summary>The step of a finished lookup.</summary>
    public static LookupStep Finished => new(LookupStepKind.Finished, default, DateTimeOffset.MaxValue);

    /// <summary>Query <paramref name="node"/>, then ask again without waiting.</summary>
    public static LookupStep Query(NodeInfo node, DateTimeOffset now) => new(LookupStepKind.Query, node, now);

    /// <summary>Nothing to send before <paramref name="wakeAt"/> unless an answer or failure arrives.</summary>
    public static LookupStep Wait(DateTimeOffset wakeAt) => new(LookupStepKind.Waiting, default, wakeAt);
}
