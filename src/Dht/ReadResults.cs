// What the two read results (GetResult, ItemGetResult) share: how a read's outcome becomes its status, and the
// span tags that describe it.
using System.Diagnostics;
using Dht.Telemetry;

namespace Dht;

internal static class ReadResults
{
    /// <summary>
    /// Found; deleted when the newest version is a tombstone; else no node answered (so "not found" is not
    /// known), or not found.
    /// </summary>
    public static ReadStatus StatusOf(bool found, bool deleted, int nodesAnswered) =>
        found ? ReadStatus.Found
        : deleted ? ReadStatus.Deleted
        : nodesAnswered == 0 ? ReadStatus.NoNodeAnswered
        : ReadStatus.NotFound;

    public static void Describe(Activity activity, int nodesAsked, int nodesAnswered, int nodesWithValue)
    {
        activity.SetTag(TelemetryTags.NodesAsked, nodesAsked);
        activity.SetTag(TelemetryTags.NodesAnswered, nodesAnswered);
        activity.SetTag(TelemetryTags.NodesWithValue, nodesWithValue);
    }
}
