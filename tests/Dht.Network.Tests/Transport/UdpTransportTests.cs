using System.Net;
using System.Net.Sockets;
using Dht.Protocol;
using Dht.Transport;

namespace Dht.Tests.Transport;

// Real sockets on loopback. Every wait is on a completion, bounded by a 10-second token, never a sleep.
public sealed class UdpTransportTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    // A receive loop used by one test only (where the loop can run), so that nothing else runs on its thread.
    private static readonly LinuxReceiveLoop? PrivateLoop = LinuxReceiveLoop.Create();

    // shared: the process-wide receive thread (where the platform has it); otherwise a thread of its own.
    private static UdpTransport BindLoopback(bool shared = true) =>
        new(new IPEndPoint(IPAddress.Loopback, 0), new UdpTransportOptions { SharedReceiveThread = shared });

    [Fact]
    public async Task LocalEndPoint_AfterBindingPortZero_IsTheRealPort()
    {
        await using var transport = BindLoopback();

        Assert.False(transport.LocalEndPoint.IsIPv6);
        Assert.Equal(0x7F000001u, transport.LocalEndPoint.IPv4);
        Assert.NotEqual(0, transport.LocalEndPoint.Port);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Send_BetweenTwoTransports_DeliversBothWaysWithTheSourceEndPoint(bool shared)
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var a = BindLoopback(shared);
        await using var b = BindLoopback(shared);
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

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Receive_JumboDatagram_IsDeliveredWhole(bool shared)
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var a = BindLoopback(shared);
        await using var b = BindLoopback(shared);
        var toB = new RecordingReceiver();
        b.Start(toB);
        var payload = new byte[9_000]; // far above any KRPC message; within every platform's UDP send limit
        new Random(7).NextBytes(payload);
        payload[0] = 1;

        a.Send(b.LocalEndPoint, payload);
        await toB.WaitForCountAsync(1, cts.Token);

        Assert.Equal(payload, toB[0].Data);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Receive_WhenTheReceiverThrows_CountsTheFaultAndKeepsReceiving(bool shared)
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var a = BindLoopback(shared);
        await using var b = BindLoopback(shared);
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

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DisposeAsync_StopsReceivingAndReleasesThePort(bool shared)
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var sender = BindLoopback(shared);
        var receiver = new RecordingReceiver();
        var transport = BindLoopback(shared);
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

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DisposeAsync_WithoutStart_Completes(bool shared)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var transport = BindLoopback(shared);

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

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Receive_InSteadyState_AllocatesNothingPerDatagram(bool loop)
    {
        const int Warmup = 20;
        const int Total = 220;
        using var cts = new CancellationTokenSource(Timeout);
        await using var a = BindLoopback();
        await using var b = new UdpTransport(
            new IPEndPoint(IPAddress.Loopback, 0),
            new UdpTransportOptions { SharedReceiveThread = loop, ReceiveLoop = PrivateLoop });
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

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Replies_FromInsideTheReceiver_AllArrive(bool shared)
    {
        // Replies produced while a batch is handled leave together after it; none may be lost or kept back.
        // Windows of 50 keep every queue far below any socket buffer, so nothing is lost on the way.
        const int Count = 500;
        const int Window = 50;
        using var cts = new CancellationTokenSource(Timeout);
        await using var client = BindLoopback(shared);
        await using var server = BindLoopback(shared);
        var replies = new RecordingReceiver();
        client.Start(replies);
        server.Start(new EchoReceiver(server));

        for (int sent = 0; sent < Count; sent += Window)
        {
            for (int i = sent; i < sent + Window; i++)
            {
                client.Send(server.LocalEndPoint, [0, .. BitConverter.GetBytes(i)]); // never RecordingReceiver.ThrowMarker first
            }

            await replies.WaitForCountAsync(sent + Window, cts.Token);
        }

        var numbers = Enumerable.Range(0, Count).Select(i => BitConverter.ToInt32(replies[i].Data, 1)).Order();
        Assert.Equal(Enumerable.Range(0, Count), numbers);

        // The last reply can arrive before the server's thread counts it: once disposed, its receive loop has
        // finished its batch.
        await server.DisposeAsync();
        Assert.Equal(Count, server.DatagramsSent);
        Assert.Equal(0, server.SendErrors);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ManyTransports_InOneProcess_AllExchange(bool shared)
    {
        // Fifty transports in a ring, each sending to the next: with the shared receive thread, one thread
        // serves every socket.
        const int Count = 50;
        using var cts = new CancellationTokenSource(Timeout);
        var transports = Enumerable.Range(0, Count).Select(_ => BindLoopback(shared)).ToArray();
        var receivers = transports.Select(_ => new RecordingReceiver()).ToArray();
        try
        {
            for (int i = 0; i < Count; i++)
            {
                transports[i].Start(receivers[i]);
            }

            for (int round = 0; round < 3; round++)
            {
                for (int i = 0; i < Count; i++)
                {
                    transports[i].Send(transports[(i + 1) % Count].LocalEndPoint, [(byte)round, (byte)i]);
                }
            }

            for (int i = 0; i < Count; i++)
            {
                await receivers[i].WaitForCountAsync(3, cts.Token);
                var from = transports[(i + Count - 1) % Count].LocalEndPoint;
                Assert.All(Enumerable.Range(0, 3), k => Assert.Equal(from, receivers[i][k].Source));
            }
        }
        finally
        {
            foreach (var t in transports)
            {
                await t.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DisposeAsync_FromInsideTheReceiver_StopsAtOnce(bool shared)
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var sender = BindLoopback(shared);
        var transport = BindLoopback(shared);
        var disposed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        int calls = 0;
        transport.Start(new CallbackReceiver(() =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                // Disposing from the receive thread must neither wait for itself nor touch the socket after.
                disposed.TrySetResult(transport.DisposeAsync().IsCompleted);
            }
        }));

        for (int i = 0; i < 20; i++)
        {
            sender.Send(transport.LocalEndPoint, "x"u8);
        }

        Assert.True(await disposed.Task.WaitAsync(cts.Token), "DisposeAsync from inside the receiver did not complete at once");
        await transport.DisposeAsync().AsTask().WaitAsync(cts.Token);

        // Nothing is delivered after disposal: not the rest of the batch already taken, not later datagrams.
        int seen = Volatile.Read(ref calls);
        Assert.Equal(1, seen);
        sender.Send(transport.LocalEndPoint, "after"u8);
        await using var witness = BindLoopback(shared);
        var toWitness = new RecordingReceiver();
        witness.Start(toWitness);
        sender.Send(witness.LocalEndPoint, "flush"u8);
        await toWitness.WaitForCountAsync(1, cts.Token);
        Assert.Equal(seen, Volatile.Read(ref calls));
        Assert.Equal(0, transport.ReceiverFaults);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DisposeAsync_UnderLoad_DeliversNothingAfterItReturns(bool shared)
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var sender = BindLoopback(shared);
        var receiver = new RecordingReceiver();
        var transport = BindLoopback(shared);
        transport.Start(receiver);
        for (int i = 0; i < 2_000; i++)
        {
            sender.Send(transport.LocalEndPoint, new byte[200]);
        }

        await receiver.WaitForCountAsync(1, cts.Token);
        await transport.DisposeAsync().AsTask().WaitAsync(cts.Token);
        int atDispose = receiver.Count;

        await using var witness = BindLoopback(shared);
        var toWitness = new RecordingReceiver();
        witness.Start(toWitness);
        sender.Send(witness.LocalEndPoint, "flush"u8);
        await toWitness.WaitForCountAsync(1, cts.Token);

        Assert.Equal(atDispose, receiver.Count);
        Assert.Equal(atDispose, transport.DatagramsReceived);
    }

    private sealed class CallbackReceiver(Action onDatagram) : IDatagramReceiver
    {
        public void OnDatagram(NetEndPoint source, ReadOnlySpan<byte> datagram) => onDatagram();
    }
}
