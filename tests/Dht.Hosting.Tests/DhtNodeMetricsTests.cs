// The hosted node's meter: made by the host's IMeterFactory, so the host's metrics pipeline sees it.
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Dht.Hosting.Tests;

public sealed class DhtNodeMetricsTests
{
    [Fact]
    public async Task HostedNode_PublishesItsMeter_ThroughTheHostsMeterFactory()
    {
        using var host = TestHosts.Loopback();
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        Meter? meter = null;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == DhtNode.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    meter = instrument.Meter;
                }
            },
        };
        listener.Start();

        await host.StartAsync();
        var node = host.Services.GetRequiredService<DhtNode>();
        await host.StopAsync();

        Assert.NotNull(meter);
        Assert.Contains(meter.Tags ?? [], t => t.Key == "dht.node" && (string?)t.Value == node.Id.ToString());
    }
}
