using System.Globalization;

namespace Dht.Adversary;

/// <summary>One phase of a stores run: how long it lasted, what the node spent, what the pinger and the stores saw.</summary>
internal sealed record LoadPhase(string Name, double Seconds, TimeSpan NodeCpu, long KernelDrops, PingSummary Ping, StoreSummary Stores)
{
    public double CpuPercent => 100 * NodeCpu.TotalSeconds / Seconds;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"""
        {Name} ({Seconds:0.0} s): {Stores.Sent / Seconds:0} stores/s sent, {Stores.Acknowledged.Count / Seconds:0} acknowledged/s, {Stores.Refusals.Count / Seconds:0} refused/s; node CPU {CpuPercent:0} % of a core ({NodeCpu.TotalMicroseconds / Math.Max(1, Stores.Sent):0} µs per store); {KernelDrops} dropped by the kernel at the node's socket
          {Ping}
          {Stores}
        """);

    public string ToJson() => string.Create(CultureInfo.InvariantCulture,
        $"{{\"phase\":\"{Name}\",\"seconds\":{Seconds:0.00},\"node_cpu_s\":{NodeCpu.TotalSeconds:0.00},\"kernel_drops\":{KernelDrops},\"ping\":{Ping.ToJson()},\"stores\":{Stores.ToJson()}}}");
}
