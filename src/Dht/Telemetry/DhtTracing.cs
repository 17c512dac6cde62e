using System.Diagnostics;

namespace Dht.Telemetry;

/// <summary>
/// The activity source "Dht", shared by the nodes of a process (as activity sources are meant to be: listeners
/// subscribe by name); each span names its node with the <c>dht.node</c> tag.
/// </summary>
internal static class DhtTracing
{
    public static readonly ActivitySource Source = new(DhtNode.ActivitySourceName, typeof(DhtTracing).Assembly.GetName().Version?.ToString());
}
