// What the three write results (PutResult, ItemPutResult, AnnounceResult) share: how a write's counts become
// its status, and the span tags that describe it.
using System.Diagnostics;
using Dht.Telemetry;

namespace Dht;

internal static class WriteResults
{
    /// <summary>Stored when a node (or this one) kept the write; else not stored, or not sent when no node answered the lookup.</summary>
    public static WriteStatus StatusOf(bool stored, int nodesReached) =>
        stored ? WriteStatus.Stored
        : nodesReached == 0 ? WriteStatus.NoNodeAnswered
        : WriteStatus.NotStored;

    public static void Describe(Activity activity, int nodesReached, int nodesAsked, int nodesAnswered, int nodesStored, int nodesPending)
    {
        activity.SetTag(TelemetryTags.NodesReached, nodesReached);
        activity.SetTag(TelemetryTags.NodesAsked, nodesAsked);
        activity.SetTag(TelemetryTags.NodesAnswered, nodesAnswered);
        activity.SetTag(TelemetryTags.NodesStored, nodesStored);
        activity.SetTag(TelemetryTags.NodesPending, nodesPending);
    }
}
