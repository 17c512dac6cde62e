// A refused datagram still yields its transaction id and kind wherever the fault is, so that the error can
// be matched, and only a query with a transaction id is answerable. Keys are sorted: "a" and "e" come
// before "t", so these are the faults that stop the strict pass before it reads "t".
using Dht.Protocol.Krpc;
using Dht.Protocol.Tests.Support;

namespace Dht.Protocol.Tests.Krpc;

public sealed class KrpcRecoveryTests
{
    private const string Id = "abcdefghij0123456789";

    [Theory]
    [InlineData("d1:ad6:target20:mnopqrstuvwxyz1234562:id20:abcdefghij0123456789e1:q9:find_node1:t2:xy1:y1:qe", "dictionary keys not sorted")]
    [InlineData("d1:ad2:id20:abcdefghij01234567892:id20:abcdefghij0123456789e1:q4:ping1:t2:xy1:y1:qe", "duplicate dictionary key")]
    [InlineData("d1:a20:abcdefghij01234567891:q4:ping1:t2:xy1:y1:qe", "arguments must be one dictionary")]
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:eli0e1:xe1:q4:ping1:t2:xy1:y1:qe", "invalid error code")]
    [InlineData("d1:ad2:id20:abcdefghij01234567894:porti06881ee1:q4:ping1:t2:xy1:y1:qe", "invalid integer")]
    public void Parse_WhenTheFaultComesBeforeT_StillReturnsTheTransactionIdOfAQuery(string datagram, string reason)
    {
        var (result, m) = TestBytes.Parse(datagram);

        Assert.Equal(KrpcParseResult.Malformed(reason), result);
        Assert.Equal("xy", TestBytes.Latin1(m.TransactionId));
        Assert.Equal(KrpcMessageKind.Query, m.Kind);
        Assert.True(KrpcParser.IsAnswerable(m));
    }

    [Theory]
    [InlineData("d1:eli0e5:Errore1:t2:xy1:y1:ee")]
    [InlineData("d1:eli201e5:Errore1:t2:xy1:y1:ee")]
    [InlineData("d1:a4:oops1:eli201e5:Errore1:t2:xy1:y1:ee")]
    [InlineData("d1:eli203e5:Errore1:t2:xy1:y1:e1:zli1eee")]
    public void IsAnswerable_ForAnErrorMessage_WhateverItsCodeOrFault_IsFalse(string datagram)
    {
        var (_, m) = TestBytes.Parse(datagram);

        Assert.Equal(KrpcMessageKind.Error, m.Kind);
        Assert.False(KrpcParser.IsAnswerable(m));
    }

    [Fact]
    public void IsAnswerable_ForAValidError_IsFalse()
    {
        var (result, m) = TestBytes.Parse("d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee");

        Assert.True(result.IsOk);
        Assert.False(KrpcParser.IsAnswerable(m));
    }

    [Theory]
    [InlineData("")]
    [InlineData("de")]
    [InlineData("d1:y1:qe")]
    [InlineData($"d1:ad2:id20:{Id}e1:q4:ping1:t0:1:y1:qe")]
    [InlineData($"d1:ad2:id20:{Id}e1:q4:ping1:ti7e1:y1:qe")]
    [InlineData($"d1:ad2:id20:{Id}e1:q4:ping1:t2:xy1:y1:xe")]
    [InlineData($"d1:ad2:id20:{Id}e1:q4:ping1:t2:xy")]
    public void IsAnswerable_WithoutATransactionIdOrAQueryType_IsFalse(string datagram)
    {
        var (result, m) = TestBytes.Parse(datagram);

        Assert.False(result.IsOk);
        Assert.False(KrpcParser.IsAnswerable(m));
    }

    [Fact]
    public void Parse_WhenTransactionIdIsEmpty_RefusesIt()
    {
        var (result, m) = TestBytes.Parse($"d1:ad2:id20:{Id}e1:q4:ping1:t0:1:y1:qe");

        Assert.Equal(KrpcParseResult.Malformed("invalid transaction id"), result);
        Assert.True(m.TransactionId.IsEmpty);
    }

    [Fact]
    public void Parse_WhenTIsDuplicated_TheFirstDecides()
    {
        var (result, m) = TestBytes.Parse($"d1:ad2:id20:{Id}e1:q4:ping1:t2:aa1:t2:bb1:y1:qe");

        Assert.Equal(KrpcParseResult.Malformed("duplicate dictionary key"), result);
        Assert.Equal("aa", TestBytes.Latin1(m.TransactionId));
    }

    [Fact]
    public void Parse_WhenNestingIsFarBeyondTheLimitBeforeT_StillFindsTWithoutRecursing()
    {
        string deep = new string('l', 5000) + new string('e', 5000);
        var (result, m) = TestBytes.Parse($"d1:ad2:id20:{Id}2:zz{deep}e1:q4:ping1:t2:xy1:y1:qe");

        Assert.Equal(KrpcParseResult.Malformed("nesting too deep"), result);
        Assert.Equal("xy", TestBytes.Latin1(m.TransactionId));
    }

    [Fact]
    public void Parse_RefusalThatNeedsRecovery_AllocatesNothing()
    {
        byte[] datagram = TestBytes.Latin1("d1:ad6:target20:mnopqrstuvwxyz1234562:id20:abcdefghij0123456789e1:q9:find_node1:t2:xy1:y1:qe");
        var message = new KrpcMessage();
        for (int i = 0; i < 100; i++)
        {
            KrpcParser.Parse(datagram, message);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            KrpcParser.Parse(datagram, message);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal("xy", TestBytes.Latin1(message.TransactionId));
    }
}
