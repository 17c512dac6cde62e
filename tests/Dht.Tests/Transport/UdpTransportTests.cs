using System.Net;
using System.Net.Sockets;
using Dht.Protocol;
using Dht.Transport;

namespace Dht.Tests.Transport;

// Real sockets on loopback. Every wait is on a completion, bounded by a 10-second token, never a sleep.
public sealed class UdpTransportTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static UdpTransport BindLoopback() => new(new IPEndPoint(IPAddress.Loopback, 0));

    [Fact]
    public async Task LocalEndPoint_AfterBindingPortZero_IsTheRealPort()
    {
        await using var transport = BindLoopback();

        Assert.False(transport.LocalEndPoint.IsIPv6);
        Assert.Equal(0x7F000001u, transport.LocalEndPoint.IPv4);
        Assert.NotEqual(0, transport.LocalEndPoint.Port);
    }

    [Fact]
    public async Task Send_BetweenTwoTransports_DeliversBothWaysWithTheSourceEndPoint()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var a = BindLoopback();
        await using var b = BindLoopback();
        var toA = new RecordingReceiver();
        var toB = new RecordingReceiver();
        a.Start(toA);
        b.Start(toB);

        a.Send(b.LocalEndPoint, "ping from a"u8);
        await toB.WaitForCountAsync(1, cts.Token);
        b.Send(toB[0].Source, "pong from b"u8);
        await toA.WaitForCountAsync(1, cts.Token);

        Assert.Equal(a.LocalEndPoint, toB[0].Source);
        Assert.Equal("ping from a"u8.ToArray(), toB[0].Data);
        Assert.Equal(b.LocalEndPoint, toA[0].Source);
        Assert.Equal("pong from b"u8.ToArray(), toA[0].Data);
    }

    [Fact]
    public async Task Counters_AfterAnExchange_CountDatagramsAndBytes()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var a = BindLoopback();
        await using var b = BindLoopback();
        var toB = new RecordingReceiver();
        b.Start(toB);

        a.Send(b.LocalEndPoint, new byte[100]);
        a.Send(b.LocalEndPoint, new byte[23]);
        await toB.WaitForCountAsync(2, cts.Token);

        Assert.Equal(2, a.DatagramsSent);
        Assert.Equal(123, a.BytesSent);
        Assert.Equal(2, b.DatagramsReceived);
        Assert.Equal(123, b.BytesReceived);
        Assert.Equal(0, a.SendErrors);
        Assert.Equal(0, b.ReceiveErrors);
    }

    [Fact]
    public async Task Receive_JumboDatagram_IsDeliveredWhole()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var a = BindLoopback();
        await using var b = BindLoopback();
        var toB = new RecordingReceiver();
        b.Start(toB);
        var payload = new byte[9_000]; // far above any KRPC message; within every platform's UDP send limit
        new Random(7).NextBytes(payload);
        payload[0] = 1;

        a.Send(b.LocalEndPoint, payload);
        await toB.WaitForCountAsync(1, cts.Token);

        Assert.Equal(payload, toB[0].Data);
    }

    [Fact]
    public async Task Receive_WhenTheReceiverThrows_CountsTheFaultAndKeepsReceiving()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var a = BindLoopback();
        await using var b = BindLoopback();
        var toB = new RecordingReceiver();
        b.Start(toB);

        a.Send(b.LocalEndPoint, [RecordingReceiver.ThrowMarker, 1, 2, 3]);
        a.Send(b.LocalEndPoint, "still alive"u8);
        await toB.WaitForCountAsync(1, cts.Token);

        Assert.Equal("still alive"u8.ToArray(), toB[0].Data);
        Assert.Equal(1, b.ReceiverFaults);
        Assert.Equal(2, b.DatagramsReceived);
    }

    [Fact]
    public async Task Send_ToAClosedPort_DoesNotThrowOrDisturbLaterTraffic()
    {
        using var cts = new CancellationTokenSource(Timeout);
        NetEndPoint closed;
        await using (var gone = BindLoopback())
        {
            closed = gone.LocalEndPoint;
        }

        await using var a = BindLoopback();
        await using var b = BindLoopback();
        var toA = new RecordingReceiver();
        var toB = new RecordingReceiver();
        a.Start(toA);
        b.Start(toB);

        // The ICMP port-unreachable this provokes must not reset a's socket.
        a.Send(closed, "nobody home"u8);
        a.Send(closed, "nobody home"u8);
        b.Send(a.LocalEndPoint, "hello"u8);
        await toA.WaitForCountAsync(1, cts.Token);
        a.Send(b.LocalEndPoint, "hello back"u8);
        await toB.WaitForCountAsync(1, cts.Token);

        Assert.Equal("hello"u8.ToArray(), toA[0].Data);
        Assert.Equal("hello back"u8.ToArray(), toB[0].Data);
    }

    [Fact]
    public async Task Send_ToTheOtherAddressFamily_IsCountedAndDropped()
    {
        await using var a = BindLoopback();
        var ipv6 = NetEndPoint.FromIPv6(IPAddress.IPv6Loopback.GetAddressBytes(), 6881);

        a.Send(ipv6, "x"u8);

        Assert.Equal(1, a.SendErrors);
        Assert.Equal(0, a.DatagramsSent);
    }

    [Fact]
    public async Task Start_Twice_Throws()
    {
        await using var a = BindLoopback();
        a.Start(new RecordingReceiver());

        Assert.Throws<InvalidOperationException>(() => a.Start(new RecordingReceiver()));
    }

    [Fact]
    public async Task DisposeAsync_StopsReceivingAndReleasesThePort()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var sender = BindLoopback();
        var receiver = new RecordingReceiver();
        var transport = BindLoopback();
        var address = transport.LocalEndPoint;
        transport.Start(receiver);
        sender.Send(address, "before"u8);
        await receiver.WaitForCountAsync(1, cts.Token);

        await transport.DisposeAsync().AsTask().WaitAsync(cts.Token);

        // The port is free again, and what is sent to it now reaches the new socket, not the old receiver.
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(address.ToIPEndPoint());
        sender.Send(address, "after"u8);
        var buffer = new byte[64];
        var result = await probe.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cts.Token);
        Assert.Equal("after"u8.ToArray(), buffer[..result.ReceivedBytes]);
        Assert.Equal(1, receiver.Count);
        Assert.Equal(1, transport.DatagramsReceived);
        Assert.Throws<ObjectDisposedException>(() => transport.Start(new RecordingReceiver()));
    }

    [Fact]
    public async Task DisposeAsync_WithoutStart_Completes()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var transport = BindLoopback();

        await transport.DisposeAsync().AsTask().WaitAsync(cts.Token);
        await transport.DisposeAsync().AsTask().WaitAsync(cts.Token);
    }

    [Fact]
    public async Task Send_AfterDispose_IsCountedAndDoesNotThrow()
    {
        var transport = BindLoopback();
        await transport.DisposeAsync();

        transport.Send(NetEndPoint.FromIPv4(0x7F000001, 6881), "late"u8);

        Assert.Equal(1, transport.SendErrors);
    }

    [Fact]
    public async Task Receive_InSteadyState_AllocatesNothingPerDatagram()
    {
        const int Warmup = 20;
        const int Total = 220;
        using var cts = new CancellationTokenSource(Timeout);
        await using var a = BindLoopback();
        await using var b = BindLoopback();
        var probe = new AllocationProbeReceiver(Total);
        b.Start(probe);

        var payload = new byte[300];
        for (int i = 0; i < Total; i++)
        {
            a.Send(b.LocalEndPoint, payload);
        }

        await probe.WaitAsync(cts.Token);

        Assert.Equal(0, probe.Samples[Total - 1] - probe.Samples[Warmup]);
    }

    [Fact]
    public async Task Send_InSteadyState_AllocatesNothing()
    {
        await using var a = BindLoopback();
        await using var b = BindLoopback();
        var payload = new byte[300];
        for (int i = 0; i < 20; i++)
        {
            a.Send(b.LocalEndPoint, payload);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
        {
            a.Send(b.LocalEndPoint, payload);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(220, a.DatagramsSent);
    }

    [Fact]
    public async Task Send_OverIPv6Loopback_DeliversWithTheSourceEndPoint()
    {
        if (!Socket.OSSupportsIPv6)
        {
            return; // no IPv6 stack on this machine; the IPv4 tests cover the shared code
        }

        using var cts = new CancellationTokenSource(Timeout);
        await using var a = new UdpTransport(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        await using var b = new UdpTransport(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        var toB = new RecordingReceiver();
        b.Start(toB);

        a.Send(b.LocalEndPoint, "over six"u8);
        await toB.WaitForCountAsync(1, cts.Token);

        Assert.True(toB[0].Source.IsIPv6);
        Assert.Equal(a.LocalEndPoint, toB[0].Source);
        Assert.Equal("over six"u8.ToArray(), toB[0].Data);
    }

    [Fact]
    public void Constructor_WithNonPositiveBufferSize_Throws()
    {
        var options = new UdpTransportOptions { ReceiveBufferSize = 0 };

        Assert.Throws<ArgumentOutOfRangeException>(() => new UdpTransport(new IPEndPoint(IPAddress.Loopback, 0), options));
    }
}
