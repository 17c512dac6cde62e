using System.Text;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Simulation;

namespace Dht.Tests.Security;

/// <summary>
/// What a node sends back to datagrams built to abuse it: nothing at all without a transaction id or to an
/// error message, and an error that echoes the transaction id wherever the fault is.
/// </summary>
public sealed class HostileDatagramTests : IAsyncLifetime
{
    private static readonly NetEndPoint Stranger = NetEndPoint.Parse("203.0.113.9:51413");

    private readonly RecordingTransport _transport = new();
    private readonly ManualTimeProvider _clock = new();
    private readonly DhtNode _node;

    public HostileDatagramTests() => _node = new DhtNode(new DhtOptions(), _transport, _clock);

    public Task InitializeAsync() => _node.StartAsync();

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public void EmptyDatagram_IsNotAnswered()
    {
        Assert.Empty(_transport.Deliver(Stranger, []));
        Assert.Equal(1, _node.Counters.InvalidMessages);
    }

    [Theory]
    [InlineData("de")]
    [InlineData("i1e")]
    [InlineData("GET / HTTP/1.1\r\n\r\n")]
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:y1:qe")] // no t
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t0:1:y1:qe")] // empty t
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:ti1e1:y1:qe")] // t not a string
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aae")] // no y
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:xe")] // y neither q, r nor e
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q4:pi")] // cut off before t
    public void DatagramWithoutATransactionIdOrAQueryType_IsNotAnswered(string datagram)
    {
        Assert.Empty(_transport.Deliver(Stranger, Encoding.Latin1.GetBytes(datagram)));
    }

    [Theory]
    [InlineData("d1:ad6:target20:mnopqrstuvwxyz1234562:id20:abcdefghij0123456789e1:q9:find_node1:t2:xy1:y1:qe")] // unsorted arguments
    [InlineData("d1:ad2:id20:abcdefghij01234567892:id20:abcdefghij0123456789e1:q4:ping1:t2:xy1:y1:qe")] // duplicate argument
    [InlineData("d1:a20:abcdefghij01234567891:q4:ping1:t2:xy1:y1:qe")] // a is not a dictionary
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:eli0e1:xe1:q4:ping1:t2:xy1:y1:qe")] // a bad e in a query
    public void Query_WhoseFaultComesBeforeT_GetsAnErrorThatEchoesT(string datagram)
    {
        var reply = _transport.Exchange(Stranger, Encoding.Latin1.GetBytes(datagram));

        Assert.Equal(KrpcMessageKind.Error, reply.Kind);
        Assert.Equal(KrpcErrorCode.Protocol, reply.ErrorCode);
        Assert.Equal("xy"u8.ToArray(), reply.TransactionId.ToArray());
    }

    [Theory]
    [InlineData("d1:eli0e5:Errore1:t2:xy1:y1:ee")]
    [InlineData("d1:eli201e5:Errore1:t2:xy1:y1:ee")]
    [InlineData("d1:eli203e14:Protocol Errore1:t2:xy1:y1:ee")]
    [InlineData("d1:eli204e14:Method Unknowne1:t2:xy1:y1:ee")]
    [InlineData("d1:eli1000e5:Errore1:t2:xy1:y1:ee")]
    [InlineData("d1:eli-1e5:Errore1:t2:xy1:y1:ee")]
    [InlineData("d1:el5:Errore1:t2:xy1:y1:ee")]
    [InlineData("d1:a4:oops1:eli201e5:Errore1:t2:xy1:y1:ee")]
    public void IncomingError_WhateverItsCode_IsNeverAnswered(string datagram)
    {
        Assert.Empty(_transport.Deliver(Stranger, Encoding.Latin1.GetBytes(datagram)));
    }

    [Fact]
    public void MalformedResponse_IsNotAnswered()
    {
        Assert.Empty(_transport.Deliver(Stranger, "d1:rd2:id20:abcdefghij01234567895:nodesi0ee1:t2:xy1:y1:re"u8));
    }
}
