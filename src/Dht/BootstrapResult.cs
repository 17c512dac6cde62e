using System.Diagnostics;
using Dht.Telemetry;

namespace Dht;

/// <summary>The outcome of joining: how many bootstrap nodes answered and how many contacts we now have.</summary>
/// <param name="BootstrapNodes">Bootstrap nodes configured (<see cref="DhtOptions.BootstrapNodes"/>).</param>
/// <param name="BootstrapNodesReached">Bootstrap nodes and saved contacts that answered the first ping.</param>
/// <param name="Contacts">Contacts in the routing table after joining: 0 means the node is alone.</param>
public sealed record BootstrapResult(int BootstrapNodes, int BootstrapNodesReached, int Contacts) : IOperationResult
{
    string IOperationResult.Outcome => Contacts > 0 ? Outcomes.Answered : Outcomes.NoNodeAnswered;

    void IOperationResult.Describe(Activity activity)
    {
        activity.SetTag(TelemetryTags.NodesAnswered, BootstrapNodesReached);
    }
}
