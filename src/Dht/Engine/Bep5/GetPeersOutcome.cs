using System.Diagnostics;
using Dht.Telemetry;

namespace Dht.Engine.Bep5;

/// <summary>What a get_peers operation came to, for its span and measurements (the peers went to the caller as found).</summary>
/// <param name="Peers">Distinct peers found.</param>
/// <param name="NodesAsked">Nodes the lookup asked.</param>
/// <param name="NodesAnswered">Nodes that answered it.</param>
internal sealed record GetPeersOutcome(int Peers, int NodesAsked, int NodesAnswered) : IOperationResult
{
    public string Outcome => Peers > 0 ? Outcomes.Found : NodesAnswered > 0 ? Outcomes.NotFound : Outcomes.NoNodeAnswered;

    public void Describe(Activity activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        activity.SetTag(TelemetryTags.NodesAsked, NodesAsked);
        activity.SetTag(TelemetryTags.NodesAnswered, NodesAnswered);
        activity.SetTag(TelemetryTags.Peers, Peers);
    }
}
