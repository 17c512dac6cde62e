using System.Diagnostics;
using System.Globalization;
using Dht.PerfHost;

namespace Dht.Adversary;

/// <summary>Once a second: the node's memory, CPU and socket drops, and what the pinger saw in that second.</summary>
internal sealed class Sampler(NodeProcess node, Pinger pinger)
{
    private readonly List<long> _resident = [];
    private TimeSpan _lastCpu = node.CpuTime();
    private DateTime _lastAt = DateTime.UtcNow;

    public IReadOnlyList<long> Resident => _resident;

    public double CpuPercent { get; private set; }

    public double MaxPingMs { get; private set; }

    /// <summary>Starts the pinger and the sending thread, prints a sample a second until the sender ends, then joins it.</summary>
    public async Task RunAsync(Thread sender, Stopwatch clock, Func<string> progress)
    {
        pinger.Start();
        sender.Start();
        while (sender.IsAlive)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
            Console.WriteLine(Sample(clock.Elapsed.TotalSeconds, progress()));
        }

        sender.Join();
    }

    public string Sample(double elapsedSeconds, string progress)
    {
        long rss = node.ResidentBytes();
        _resident.Add(rss);
        var cpu = node.CpuTime();
        var now = DateTime.UtcNow;
        CpuPercent = 100.0 * (cpu - _lastCpu).TotalSeconds / Math.Max(0.001, (now - _lastAt).TotalSeconds);
        _lastCpu = cpu;
        _lastAt = now;
        var (rtts, unanswered) = pinger.TakeInterval();
        double p99 = Percentiles.Of(rtts, 0.99);
        MaxPingMs = rtts.Count == 0 ? double.NaN : rtts.Max();
        return string.Create(CultureInfo.InvariantCulture,
            $"{elapsedSeconds,6:0.0} s  {progress}  node rss {rss / 1048576.0:0.0} MiB cpu {CpuPercent:0} %  drops {node.KernelDrops()}  ping p99 {p99:0.0} ms, {unanswered} unanswered");
    }
}
