// The packet path reuses one KrpcMessage and one output buffer per node; decoding and encoding must then
// allocate nothing, or a busy node pays for every datagram in garbage collections.
using System.Buffers;
using Dht.Protocol.Krpc;
using Dht.Protocol.Tests.Support;

namespace Dht.Protocol.Tests.Krpc;

public sealed class KrpcAllocationTests
{
    private const int Rounds = 1000;

    [Fact]
    public void Parse_FindNodeResponseIntoReusedMessage_AllocatesNothing()
    {
        byte[] datagram = TestBytes.Latin1(SampleDatagrams.FindNodeResponseWithEightNodes());
        var message = new KrpcMessage();
        for (int i = 0; i < 100; i++)
        {
            Assert.True(KrpcParser.Parse(datagram, message).IsOk);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Rounds; i++)
        {
            KrpcParser.Parse(datagram, message);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(8 * CompactEncoding.NodeV4Size, message.Nodes.Length);
    }

    [Fact]
    public void Parse_MalformedDatagramIntoReusedMessage_AllocatesNothing()
    {
        byte[] datagram = TestBytes.Latin1("d1:ad2:id19:abcdefghij012345678e1:q4:ping1:t2:aa1:y1:qe");
        var message = new KrpcMessage();
        for (int i = 0; i < 100; i++)
        {
            KrpcParser.Parse(datagram, message);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Rounds; i++)
        {
            KrpcParser.Parse(datagram, message);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Write_FindNodeResponseIntoReusedBuffer_AllocatesNothing()
    {
        byte[] datagram = TestBytes.Latin1(SampleDatagrams.FindNodeResponseWithEightNodes());
        var message = new KrpcMessage();
        Assert.True(KrpcParser.Parse(datagram, message).IsOk);
        var output = new ArrayBufferWriter<byte>(1500);
        for (int i = 0; i < 100; i++)
        {
            output.ResetWrittenCount();
            KrpcWriter.Write(message, output);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Rounds; i++)
        {
            output.ResetWrittenCount();
            KrpcWriter.Write(message, output);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(datagram, output.WrittenSpan.ToArray());
    }
}
