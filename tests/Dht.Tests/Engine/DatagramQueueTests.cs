using Dht.Engine;
using Dht.Engine.Network;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Simulation;

namespace Dht.Tests.Engine;

/// <summary>
/// Datagrams that arrive while the node's loop is busy wait for it in a bounded queue of reused copies: beyond
/// the bound they are dropped and counted, and a busy node allocates nothing per datagram once its copies exist.
/// </summary>
public sealed class DatagramQueueTests
{
    private static readonly NetEndPoint From = NetEndPoint.FromIPv4(0x7F000001, 40_000);

    [Fact]
    public async Task Queries_WhileTheLoopIsBusy_QueueUpToTheBound_TheRestAreDroppedAndCounted()
    {
        var transport = new CapturingTransport();
        await using var engine = await StartAsync(transport);
        var ping = Ping();
        transport.Deliver(From, ping); // the loop is idle: answered at once, and the sender becomes a contact
        long sentBefore = transport.SentCount;

        await WhileBusyAsync(engine, () =>
        {
            for (int i = 0; i < NodeFamily.MaxQueuedDatagrams + 100; i++)
            {
                transport.Deliver(From, ping);
            }
        });

        Assert.Equal(100, engine.Counters.DatagramsDropped);
        Assert.Equal(NodeFamily.MaxQueuedDatagrams, transport.SentCount - sentBefore);
    }

    [Fact]
    public async Task Queries_WhileTheLoopIsBusy_OnceTheCopiesExist_AreQueuedWithoutAllocating()
    {
        var transport = new CapturingTransport();
        await using var engine = await StartAsync(transport);
        var ping = Ping();
        transport.Deliver(From, ping);
        await WhileBusyAsync(engine, () => Deliver(transport, ping, NodeFamily.MaxQueuedDatagrams));
        long sentBefore = transport.SentCount;
        long allocated = 0;

        await WhileBusyAsync(engine, () =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Deliver(transport, ping, NodeFamily.MaxQueuedDatagrams);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });

        Assert.Equal(0, allocated);
        Assert.Equal(NodeFamily.MaxQueuedDatagrams, transport.SentCount - sentBefore);
        Assert.Equal(0, engine.Counters.DatagramsDropped);
    }

    private static async Task<DhtEngine> StartAsync(CapturingTransport transport)
    {
        var options = new DhtOptions { MaxQueriesPerSecondPerIp = 1_000_000, MaxReplyBytesPerSecondPerIp = 1_000_000_000 };
        var engine = new DhtEngine(options, transport, new ManualTimeProvider(), new SeededRandomSource(new Random(5)));
        await engine.Start();
        return engine;
    }

    private static void Deliver(CapturingTransport transport, byte[] datagram, int count)
    {
        for (int i = 0; i < count; i++)
        {
            transport.Deliver(From, datagram);
        }
    }

    /// <summary>
    /// Runs <paramref name="deliver"/> while another thread holds the node's loop, then lets the loop go and
    /// waits until it has handled everything queued meanwhile.
    /// </summary>
    private static async Task WhileBusyAsync(DhtEngine engine, Action deliver)
    {
        using var busy = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = Task.Run(() => engine.Loop.Post(_ =>
        {
            busy.Set();
            release.Wait(TimeSpan.FromSeconds(60));
        }, null));
        Assert.True(busy.Wait(TimeSpan.FromSeconds(60)));
        try
        {
            deliver();
        }
        finally
        {
            release.Set();
        }

        await holder.WaitAsync(TimeSpan.FromSeconds(60));
        await engine.Loop.CallAsync(() => true).WaitAsync(TimeSpan.FromSeconds(60)); // after every queued datagram
    }

    private static byte[] Ping()
    {
        var m = new KrpcMessage
        {
            Kind = KrpcMessageKind.Query,
            Method = KrpcMethod.Ping,
            TransactionId = "ab"u8.ToArray(),
            Id = NodeId.CreateRandom(new Random(3)),
            Fields = KrpcFields.Id,
        };
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        KrpcWriter.Write(m, buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
