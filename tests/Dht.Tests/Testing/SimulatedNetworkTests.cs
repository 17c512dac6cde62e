using System.Text;
using Dht.Protocol;
using Dht.Simulation;

namespace Dht.Tests.Testing;

public sealed class SimulatedNetworkTests
{
    private static readonly TimeSpan FiftyMs = TimeSpan.FromMilliseconds(50);

    [Fact]
    public void CreateTransport_AssignsDistinctLoopbackAddresses()
    {
        var network = new SimulatedNetwork(new SimulationClock(), new Random(1));
        var explicitEndPoint = Parse("127.0.0.2:6881");
        var first = network.CreateTransport();
        var given = network.CreateTransport(explicitEndPoint);
        var third = network.CreateTransport();

        Assert.Equal(Parse("127.0.0.1:6881"), first.LocalEndPoint);
        Assert.Equal(explicitEndPoint, given.LocalEndPoint);
        Assert.Equal(Parse("127.0.0.3:6881"), third.LocalEndPoint);
        Assert.Equal(3, network.TransportCount);
        Assert.Throws<InvalidOperationException>(() => network.CreateTransport(explicitEndPoint));
    }

    [Fact]
    public void Send_DeliversACopyAfterTheLatency()
    {
        var clock = new SimulationClock();
        var network = new SimulatedNetwork(clock, new Random(1), LatencyModel.Constant(FiftyMs));
        var (a, _) = Attach(network, clock);
        var (b, bReceived) = Attach(network, clock);
        var start = clock.GetUtcNow();

        byte[] payload = Encoding.ASCII.GetBytes("ping");
        a.Send(b.LocalEndPoint, payload);
        payload[0] = (byte)'X'; // the span is the sender's to reuse once Send returns

        clock.Advance(FiftyMs - TimeSpan.FromTicks(1));
        Assert.Empty(bReceived.Received);

        clock.Advance(TimeSpan.FromTicks(1));
        var (time, source, received) = Assert.Single(bReceived.Received);
        Assert.Equal(start + FiftyMs, time);
        Assert.Equal(a.LocalEndPoint, source);
        Assert.Equal("ping", Encoding.ASCII.GetString(received));
        Assert.Equal(1, network.DatagramsDelivered);
        Assert.Equal(4, network.BytesDelivered);
        Assert.Equal(1, a.DatagramsSent);
        Assert.Equal(1, b.DatagramsReceived);
    }

    [Fact]
    public void Receivers_CanReplyFromInsideADelivery()
    {
        var clock = new SimulationClock();
        var network = new SimulatedNetwork(clock, new Random(1), LatencyModel.Constant(FiftyMs));
        var ponger = network.CreateTransport();
        ponger.Start(new EchoReceiver(ponger));
        var (pinger, pingerReceived) = Attach(network, clock);
        var start = clock.GetUtcNow();

        pinger.Send(ponger.LocalEndPoint, "ping"u8);
        clock.RunUntilIdle();

        var (time, source, payload) = Assert.Single(pingerReceived.Received);
        Assert.Equal(start + (2 * FiftyMs), time);
        Assert.Equal(ponger.LocalEndPoint, source);
        Assert.Equal("ping", Encoding.ASCII.GetString(payload));
        Assert.Equal(0, network.DatagramsInFlight);
    }

    [Fact]
    public void DefaultLatency_IsStablePerLinkAndWithinRange()
    {
        var clock = new SimulationClock();
        var network = new SimulatedNetwork(clock, new Random(7));
        var (a, aReceived) = Attach(network, clock);
        var (b, bReceived) = Attach(network, clock);
        var (c, cReceived) = Attach(network, clock);

        var delays = new Dictionary<string, List<TimeSpan>> { ["ab"] = [], ["ba"] = [], ["ac"] = [] };
        for (int i = 0; i < 20; i++)
        {
            var sentAt = clock.GetUtcNow();
            a.Send(b.LocalEndPoint, "x"u8);
            b.Send(a.LocalEndPoint, "x"u8);
            a.Send(c.LocalEndPoint, "x"u8);
            clock.RunUntilIdle();
            delays["ab"].Add(bReceived.Received[^1].Time - sentAt);
            delays["ba"].Add(aReceived.Received[^1].Time - sentAt);
            delays["ac"].Add(cReceived.Received[^1].Time - sentAt);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        var jitter = TimeSpan.FromMilliseconds(5);
        foreach (var link in delays.Values)
        {
            Assert.All(link, d => Assert.InRange(d, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(155)));
            Assert.True(link.Max() - link.Min() <= jitter, "a link keeps its base latency");
        }

        // One base per link in both directions.
        Assert.True((delays["ab"].Min() - delays["ba"].Min()).Duration() <= jitter);
    }

    [Fact]
    public void LossRate_DropsAboutThatFraction()
    {
        var clock = new SimulationClock();
        var network = new SimulatedNetwork(clock, new Random(42)) { LossRate = 0.2 };
        var (a, _) = Attach(network, clock);
        var (b, bReceived) = Attach(network, clock);

        for (int i = 0; i < 10_000; i++)
        {
            a.Send(b.LocalEndPoint, "x"u8);
        }

        clock.RunUntilIdle();

        Assert.Equal(10_000, network.DatagramsSent);
        Assert.InRange(network.DroppedByLoss, 1_850, 2_150);
        Assert.Equal(10_000 - network.DroppedByLoss, network.DatagramsDelivered);
        Assert.Equal(network.DatagramsDelivered, bReceived.Received.Count);
    }

    [Fact]
    public void Partition_DropsAcrossGroups_AndHealRestores()
    {
        var clock = new SimulationClock();
        var network = new SimulatedNetwork(clock, new Random(1), LatencyModel.Constant(FiftyMs));
        var (a, _) = Attach(network, clock); // 127.0.0.1: odd
        var (b, bReceived) = Attach(network, clock); // 127.0.0.2: even
        var (c, cReceived) = Attach(network, clock); // 127.0.0.3: odd

        network.Partition(endPoint => (int)(endPoint.IPv4 & 1));
        a.Send(b.LocalEndPoint, "across"u8);
        a.Send(c.LocalEndPoint, "within"u8);
        clock.RunUntilIdle();

        Assert.Empty(bReceived.Received);
        Assert.Single(cReceived.Received);
        Assert.Equal(1, network.DroppedByPartition);

        network.Heal();
        a.Send(b.LocalEndPoint, "healed"u8);
        clock.RunUntilIdle();

        Assert.Equal("healed", Encoding.ASCII.GetString(Assert.Single(bReceived.Received).Payload));
    }

    [Fact]
    public void Partition_AlsoDropsDatagramsAlreadyInFlight()
    {
        var clock = new SimulationClock();
        var network = new SimulatedNetwork(clock, new Random(1), LatencyModel.Constant(FiftyMs));
        var (a, _) = Attach(network, clock);
        var (b, bReceived) = Attach(network, clock);

        a.Send(b.LocalEndPoint, "x"u8);
        network.Partition(endPoint => endPoint == a.LocalEndPoint ? 0 : 1);
        clock.RunUntilIdle();

        Assert.Empty(bReceived.Received);
        Assert.Equal(1, network.DroppedByPartition);
    }

    [Fact]
    public void Disconnect_DropsTrafficBothWays_UntilReconnect()
    {
        var clock = new SimulationClock();
        var network = new SimulatedNetwork(clock, new Random(1), LatencyModel.Constant(FiftyMs));
        var (a, aReceived) = Attach(network, clock);
        var (b, bReceived) = Attach(network, clock);

        network.Disconnect(b.LocalEndPoint);
        a.Send(b.LocalEndPoint, "to"u8);
        b.Send(a.LocalEndPoint, "from"u8);
        clock.RunUntilIdle();

        Assert.Empty(aReceived.Received);
        Assert.Empty(bReceived.Received);
        Assert.Equal(2, network.DroppedDisconnected);
        Assert.False(network.IsConnected(b.LocalEndPoint));

        network.Reconnect(b.LocalEndPoint);
        a.Send(b.LocalEndPoint, "to"u8);
        b.Send(a.LocalEndPoint, "from"u8);
        clock.RunUntilIdle();

        Assert.Single(aReceived.Received);
        Assert.Single(bReceived.Received);
    }

    [Fact]
    public async Task DisposingATransport_DropsTrafficToIt_AndFreesItsAddress()
    {
        var clock = new SimulationClock();
        var network = new SimulatedNetwork(clock, new Random(1), LatencyModel.Constant(FiftyMs));
        var (a, _) = Attach(network, clock);
        var (b, bReceived) = Attach(network, clock);
        var address = b.LocalEndPoint;

        a.Send(address, "in flight"u8);
        await b.DisposeAsync();
        a.Send(address, "after"u8);
        b.Send(a.LocalEndPoint, "from the dead"u8);
        clock.RunUntilIdle();

        Assert.Empty(bReceived.Received);
        Assert.Equal(2, network.DroppedNoEndpoint);
        Assert.Equal(1, network.DroppedDisconnected);
        Assert.False(network.TryGetTransport(address, out _));
        Assert.Equal(1, network.TransportCount);

        var replacement = network.CreateTransport(address);
        var replacementReceived = new RecordingReceiver(clock);
        replacement.Start(replacementReceived);
        a.Send(address, "hello again"u8);
        clock.RunUntilIdle();
        Assert.Single(replacementReceived.Received);
    }

    [Fact]
    public void OversizeDatagrams_AreDropped()
    {
        var clock = new SimulationClock();
        var network = new SimulatedNetwork(clock, new Random(1));
        var (a, _) = Attach(network, clock);
        var (b, bReceived) = Attach(network, clock);

        a.Send(b.LocalEndPoint, new byte[SimulatedNetwork.MaxDatagramSize + 1]);
        a.Send(b.LocalEndPoint, new byte[SimulatedNetwork.MaxDatagramSize]);
        clock.RunUntilIdle();

        Assert.Equal(1, network.DroppedOversize);
        Assert.Equal(SimulatedNetwork.MaxDatagramSize, Assert.Single(bReceived.Received).Payload.Length);
    }

    [Fact]
    public void SameSeed_GivesTheSameTrace_AndAnotherSeedADifferentOne()
    {
        var first = RunGossip(seed: 12345);
        var second = RunGossip(seed: 12345);
        var other = RunGossip(seed: 54321);

        Assert.True(first.Count > 500, $"trace has {first.Count} deliveries");
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void HundredThousandTransports_FitAndExchangeDatagrams()
    {
        const int Count = 100_000;
        var clock = new SimulationClock();
        var network = new SimulatedNetwork(clock, new Random(3));
        var receiver = new CountingReceiver();
        var transports = new SimulatedTransport[Count];
        for (int i = 0; i < Count; i++)
        {
            transports[i] = network.CreateTransport();
            transports[i].Start(receiver);
        }

        Assert.Equal(Count, network.TransportCount);
        Assert.Equal(Parse("127.1.134.160:6881"), transports[Count - 1].LocalEndPoint); // 100,000 = 0x0186A0

        for (int i = 0; i < Count; i++)
        {
            transports[i].Send(transports[(i + 1) % Count].LocalEndPoint, "hi"u8);
        }

        Assert.True(clock.RunUntilIdle());
        Assert.Equal(Count, receiver.Count);
        Assert.Equal(Count, network.DatagramsDelivered);
        Assert.Equal(Count, transports.Count(t => t.DatagramsReceived == 1));
    }

    private static List<string> RunGossip(int seed)
    {
        const int Nodes = 50;
        var clock = new SimulationClock();
        var network = new SimulatedNetwork(clock, new Random(seed)) { LossRate = 0.05 };
        var trace = new List<string>();
        var transports = new SimulatedTransport[Nodes];
        for (int i = 0; i < Nodes; i++)
        {
            transports[i] = network.CreateTransport();
        }

        for (int i = 0; i < Nodes; i++)
        {
            transports[i].Start(new GossipReceiver(clock, transports[i], transports, trace));
        }

        for (int i = 0; i < Nodes; i++)
        {
            transports[i].Send(transports[(i * 7) % Nodes].LocalEndPoint, [(byte)i, 0]);
        }

        clock.RunFor(TimeSpan.FromSeconds(30));
        return trace;
    }

    private static (SimulatedTransport Transport, RecordingReceiver Receiver) Attach(SimulatedNetwork network, SimulationClock clock)
    {
        var transport = network.CreateTransport();
        var receiver = new RecordingReceiver(clock);
        transport.Start(receiver);
        return (transport, receiver);
    }

    private static NetEndPoint Parse(string text) =>
        NetEndPoint.TryParse(text, out var endPoint) ? endPoint : throw new ArgumentException(text, nameof(text));
}
