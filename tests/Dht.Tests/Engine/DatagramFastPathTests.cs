using Dht.Engine;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Simulation;

namespace Dht.Tests.Engine;

/// <summary>A datagram handled on the receive thread while the node's loop is idle: no allocation, no hand-off.</summary>
public sealed class DatagramFastPathTests
{
    [Theory]
    [InlineData(KrpcMethod.Ping)]
    [InlineData(KrpcMethod.FindNode)]
    [InlineData(KrpcMethod.GetPeers)]
    public async Task Query_WhenTheLoopIsIdle_IsAnsweredOnTheCallersThread_WithoutAllocating(KrpcMethod method)
    {
        var transport = new CapturingTransport();
        var options = new DhtOptions { MaxQueriesPerSecondPerIp = 1_000_000, MaxReplyBytesPerSecondPerIp = 1_000_000_000 };
        await using var engine = new DhtEngine(options, transport, new ManualTimeProvider(), new SeededRandomSource(new Random(5)));
        await engine.Start();
        var random = new Random(9);
        for (int i = 0; i < 200; i++)
        {
            var id = NodeId.CreateRandom(random);
            transport.Deliver(NetEndPoint.FromIPv4(0x7F000001, (ushort)(20_000 + i)), Query(KrpcMethod.FindNode, id, id));
        }

        var datagram = Query(method, NodeId.CreateRandom(random), NodeId.CreateRandom(random));
        var from = NetEndPoint.FromIPv4(0x7F000001, 40_000);
        for (int i = 0; i < 1_000; i++)
        {
            transport.Deliver(from, datagram);
        }

        long sentBefore = transport.SentCount;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            transport.Deliver(from, datagram);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(10_000, transport.SentCount - sentBefore); // every one answered here, inline
        Assert.Equal(0, allocated);
    }

    [Fact]
    public async Task Query_WhenTheLoopIsBusy_IsCopiedAndAnsweredByTheLoopLater()
    {
        var transport = new CapturingTransport { Keep = true };
        await using var engine = new DhtEngine(new DhtOptions(), transport, new ManualTimeProvider(), new SeededRandomSource(new Random(5)));
        await engine.Start();
        using var busy = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = Task.Run(() => engine.Loop.Post(_ =>
        {
            busy.Set();
            release.Wait(TimeSpan.FromSeconds(60));
        }, null));
        Assert.True(busy.Wait(TimeSpan.FromSeconds(60)));

        var datagram = Query(KrpcMethod.Ping, NodeId.CreateRandom(new Random(3)), default);
        transport.Deliver(NetEndPoint.FromIPv4(0x7F000001, 40_000), datagram);
        Array.Clear(datagram); // the receive buffer is reused at once: the queued copy must not depend on it
        Assert.Empty(transport.Sent);

        release.Set();
        await holder.WaitAsync(TimeSpan.FromSeconds(60));
        var (to, answer) = Assert.Single(transport.Sent, s => IsResponse(s.Datagram)); // its ping of the new contact aside
        Assert.Equal(NetEndPoint.FromIPv4(0x7F000001, 40_000), to);
        var reply = new KrpcMessage();
        Assert.True(KrpcParser.Parse(answer, reply).IsOk);
        Assert.Equal("ab"u8.ToArray(), reply.TransactionId.ToArray());
    }

    private static bool IsResponse(byte[] datagram)
    {
        var m = new KrpcMessage();
        return KrpcParser.Parse(datagram, m).IsOk && m.Kind == KrpcMessageKind.Response;
    }

    private static byte[] Query(KrpcMethod method, NodeId id, NodeId target)
    {
        var m = new KrpcMessage
        {
            Kind = KrpcMessageKind.Query,
            Method = method,
            TransactionId = "ab"u8.ToArray(),
            Id = id,
            Fields = KrpcFields.Id,
        };
        if (method == KrpcMethod.GetPeers)
        {
            m.InfoHash = target;
            m.Fields |= KrpcFields.InfoHash;
        }
        else if (method != KrpcMethod.Ping)
        {
            m.Target = target;
            m.Fields |= KrpcFields.Target;
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        KrpcWriter.Write(m, buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
