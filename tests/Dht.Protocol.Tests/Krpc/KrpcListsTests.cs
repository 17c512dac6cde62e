// The list-valued fields kept in encoded form: BEP 5 "values" (compact peers) and BEP 32 "want".
using System.Buffers;
using Dht.Protocol.Krpc;
using Dht.Protocol.Tests.Support;

namespace Dht.Protocol.Tests.Krpc;

public sealed class KrpcListsTests
{
    [Theory]
    [InlineData("l2:n42:n6e", true, true)]
    [InlineData("l2:n62:n4e", true, true)]
    [InlineData("l2:n4e", true, false)]
    [InlineData("l2:n6e", false, true)]
    [InlineData("le", false, false)]
    [InlineData("l3:n44e", false, false)]
    [InlineData("l2:N4e", false, false)]
    [InlineData("l3:xyz2:n4e", true, false)]
    [InlineData("2:n4", false, false)]
    [InlineData("", false, false)]
    [InlineData("l2:n4", true, false)]
    public void ReadWant_ReportsTheRequestedFamilies(string want, bool v4, bool v6)
    {
        Assert.Equal((v4, v6), KrpcLists.ReadWant(TestBytes.Latin1(want)));
    }

    [Fact]
    public void Want_InAGetPeersQuery_IsKeptEncodedAndReadable()
    {
        string bytes = "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:wantl2:n42:n6ee1:q9:get_peers1:t2:aa1:y1:qe";

        var (result, m) = TestBytes.Parse(bytes);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.True(m.Has(KrpcFields.Want));
        Assert.Equal("l2:n42:n6e", TestBytes.Latin1(m.Want));
        Assert.Equal((true, true), KrpcLists.ReadWant(m.Want.Span));
        Assert.Equal(bytes, TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Theory]
    [InlineData("4:want2:n4")]
    [InlineData("4:wanti4e")]
    [InlineData("4:wantd2:n4i1ee")]
    public void Want_WhenNotAList_IsMalformed(string want)
    {
        var (result, _) = TestBytes.Parse(
            $"d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456{want}e1:q9:find_node1:t2:aa1:y1:qe");

        Assert.Equal(KrpcParseStatus.Malformed, result.Status);
        Assert.Equal("invalid want", result.Reason);
    }

    [Fact]
    public void WritePeers_ThenReadPeers_RoundTripsIPv4AndIPv6()
    {
        const int seed = 401;
        var random = new Random(seed);
        var peers = new List<NetEndPoint>();
        for (int i = 0; i < 50; i++)
        {
            ushort port = (ushort)random.Next(1, 65536);
            if (random.Next(2) == 0)
            {
                peers.Add(NetEndPoint.FromIPv4((uint)random.Next(1, int.MaxValue), port));
            }
            else
            {
                byte[] address = new byte[16];
                random.NextBytes(address);
                address[0] = 0x20;
                peers.Add(NetEndPoint.FromIPv6(address, port));
            }
        }

        var encoded = new ArrayBufferWriter<byte>();
        KrpcLists.WritePeers(peers, encoded);
        var read = new List<NetEndPoint>();
        KrpcLists.ReadPeers(encoded.WrittenSpan, read);

        Assert.True(peers.SequenceEqual(read), $"seed {seed}");
    }

    [Fact]
    public void WritePeers_WhenEmpty_WritesAnEmptyList()
    {
        var encoded = new ArrayBufferWriter<byte>();

        KrpcLists.WritePeers([], encoded);

        Assert.Equal("le", TestBytes.Latin1(encoded.WrittenSpan));
    }

    [Fact]
    public void ReadPeers_SkipsEntriesOfTheWrongSizeAndUnusableAddresses()
    {
        string v4 = "\u0001\u0002\u0003\u0004\u001a\u00e1";
        string portZero = "\u0001\u0002\u0003\u0004\0\0";
        string anyAddress = "\0\0\0\0\u001a\u00e1";
        string v6 = TestBytes.Latin1(Convert.FromHexString("20010db80000000000000000000000011ae1"));
        string values = $"l6:{v4}5:short6:{portZero}7:toolong6:{anyAddress}18:{v6}0:e";

        var read = new List<NetEndPoint>();
        KrpcLists.ReadPeers(TestBytes.Latin1(values), read);

        Assert.Equal(["1.2.3.4:6881", "[2001:db8::1]:6881"], read.Select(p => p.ToString()));
    }

    [Fact]
    public void ReadPeers_StopsAtMax()
    {
        string peer = "\u0001\u0002\u0003\u0004\u001a\u00e1";
        string values = "l" + string.Concat(Enumerable.Repeat($"6:{peer}", 10)) + "e";

        var read = new List<NetEndPoint>();
        KrpcLists.ReadPeers(TestBytes.Latin1(values), read, max: 3);

        Assert.Equal(3, read.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("6:abcdef")]
    [InlineData("i1e")]
    [InlineData("l6:abcd")]
    [InlineData("x")]
    public void ReadPeers_WhenNotAList_AddsNothing(string values)
    {
        var read = new List<NetEndPoint>();

        KrpcLists.ReadPeers(TestBytes.Latin1(values), read);

        Assert.Empty(read);
    }

    [Theory]
    [InlineData("6:valuesl6:axje.ui1ee")]
    [InlineData("6:valuesll6:axje.uee")]
    [InlineData("6:values6:axje.u")]
    [InlineData("6:valuesi0e")]
    public void Values_WhenNotAListOfStrings_IsMalformed(string values)
    {
        var (result, _) = TestBytes.Parse($"d1:rd2:id20:abcdefghij01234567895:token2:tk{values}e1:t2:aa1:y1:re");

        Assert.Equal(KrpcParseStatus.Malformed, result.Status);
        Assert.Equal("invalid values", result.Reason);
    }

    [Fact]
    public void Values_WithOddSizedEntries_AreAcceptedAndSkippedOnRead()
    {
        // Entry sizes are checked when read, so one bad peer does not cost the whole response.
        var (result, m) = TestBytes.Parse("d1:rd2:id20:abcdefghij01234567895:token2:tk6:valuesl3:abc6:axje.uee1:t2:aa1:y1:re");

        Assert.Equal(KrpcParseResult.Ok, result);
        var read = new List<NetEndPoint>();
        KrpcLists.ReadPeers(m.Values.Span, read);
        Assert.Single(read);
    }
}
