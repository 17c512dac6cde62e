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

        // Half the first burst, still far beyond the 64 copies once kept: the loop's own work queue (a
        // ConcurrentQueue) may add a segment when its depth reaches a new high, which is not the datagrams' cost.
        const int Burst = NodeFamily.MaxQueuedDatagrams / 2;
        long allocated = 0;
        await WhileBusyAsync(engine, () =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Deliver(transport, ping, Burst);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });

        Assert.Equal(0, allocated);
        Assert.Equal(Burst, transport.SentCount - sentBefore);
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
    /// Runs <paramref name="deliver"/> as a piece of work on the node's loop, so that the datagrams it delivers
    /// find the loop busy and are queued; then waits until the loop has handled them all.
    /// </summary>
    private static Task WhileBusyAsync(DhtEngine engine, Action deliver)
    {
        var handled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        engine.Loop.Post(_ =>
        {
            deliver();
            engine.Loop.Post(_ => handled.SetResult(), null); // queued behind every datagram deliver queued
        }, null);
        return handled.Task;
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
