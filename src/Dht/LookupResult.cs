using System.Diagnostics;
using Dht.Protocol;
using Dht.Telemetry;

namespace Dht;

/// <summary>The outcome of an iterative lookup.</summary>
/// <param name="Target">The id looked up.</param>
/// <param name="ClosestNodes">The closest nodes that answered, closest first (at most k); empty when no node answered.</param>
/// <param name="Rounds">Hops: how many steps away from the starting contacts the results were found.</param>
/// <param name="QueriesSent">Queries sent by the lookup: the nodes asked.</param>
/// <param name="Responses">Queries answered: the nodes that answered.</param>
/// <param name="Elapsed">Time from start to finish.</param>
/// <param name="Path">Every node asked, in the order the answers (or failures) came.</param>
public sealed record LookupResult(
    NodeId Target,
    IReadOnlyList<NodeInfo> ClosestNodes,
    int Rounds,
    int QueriesSent,
    int Responses,
    TimeSpan Elapsed,
    IReadOnlyList<LookupStepRecord> Path) : IOperationResult
{
    string IOperationResult.Outcome => Responses > 0 ? Outcomes.Answered : Outcomes.NoNodeAnswered;

    void IOperationResult.Describe(Activity activity)
    {
        activity.SetTag(TelemetryTags.NodesAsked, QueriesSent);
        activity.SetTag(TelemetryTags.NodesAnswered, Responses);
        activity.SetTag(TelemetryTags.Rounds, Rounds);
    }
}
