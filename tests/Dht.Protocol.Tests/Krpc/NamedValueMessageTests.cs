// The named-value extension (find_value / store): same conventions as BEP 44 get/put, with target, seq
// and ttl carried explicitly.
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.NamedValues;
using Dht.Protocol.Tests.Support;

namespace Dht.Protocol.Tests.Krpc;

public sealed class NamedValueMessageTests
{
    private static readonly NodeId HelloKey = NodeId.FromKey("hello");
    private static readonly string HelloTarget = TestBytes.Latin1(HelloKey.ToArray());

    [Fact]
    public void FindValueQuery_RoundTrips()
    {
        string bytes = $"d1:ad2:id20:abcdefghij01234567896:target20:{HelloTarget}e1:q10:find_value1:t2:aa1:y1:qe";

        var (result, m) = TestBytes.Parse(bytes);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(NamedValueMethods.FindValue, m.Method);
        Assert.Equal(KrpcFields.Id | KrpcFields.Target, m.Fields);
        Assert.Equal(HelloKey, m.Target);
        Assert.Equal(bytes, TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Fact]
    public void FindValueResponse_WithValue_RoundTrips()
    {
        string node = "0123456789abcdefghij\u0001\u0002\u0003\u0004\u001a\u00e1";
        string bytes = $"d1:rd2:id20:abcdefghij01234567895:nodes26:{node}3:seqi1700000000000001e5:token4:tokn1:v5:worlde1:t2:aa1:v4:DH\u0001\u00021:y1:re";

        var (result, m) = TestBytes.Parse(bytes);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(KrpcFields.Id | KrpcFields.Nodes | KrpcFields.Seq | KrpcFields.Token | KrpcFields.Value | KrpcFields.ClientVersion, m.Fields);
        Assert.Equal(1700000000000001, m.Seq);
        Assert.Equal("5:world", TestBytes.Latin1(m.Value));
        Assert.Equal("tokn", TestBytes.Latin1(m.Token));
        Assert.Equal(bytes, TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Fact]
    public void FindValueResponse_WithoutValue_RoundTrips()
    {
        string bytes = "d1:rd2:id20:abcdefghij01234567895:nodes0:5:token4:tokne1:t2:aa1:y1:re";

        var (result, m) = TestBytes.Parse(bytes);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(KrpcFields.Id | KrpcFields.Nodes | KrpcFields.Token, m.Fields);
        Assert.True(m.Nodes.IsEmpty);
        Assert.Equal(bytes, TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Fact]
    public void StoreQuery_RoundTrips()
    {
        string bytes = $"d1:ad2:id20:abcdefghij01234567893:seqi42e6:target20:{HelloTarget}5:token4:tokn3:ttli86400e1:v5:worlde1:q5:store1:t2:aa1:y1:qe";

        var (result, m) = TestBytes.Parse(bytes);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(NamedValueMethods.Store, m.Method);
        Assert.Equal(KrpcFields.Id | KrpcFields.Seq | KrpcFields.Target | KrpcFields.Token | NamedValueMessages.Ttl.Field | KrpcFields.Value, m.Fields);
        Assert.Equal(42, m.Seq);
        Assert.Equal(86400, m.GetInteger(NamedValueMessages.Ttl));
        Assert.Equal(HelloKey, m.Target);
        Assert.Equal("5:world", TestBytes.Latin1(m.Value));
        Assert.Equal(bytes, TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Fact]
    public void StoreQuery_WithoutTtl_IsOk()
    {
        var (result, m) = TestBytes.Parse(
            $"d1:ad2:id20:abcdefghij01234567893:seqi0e6:target20:{HelloTarget}5:token4:tokn1:v0:e1:q5:store1:t2:aa1:y1:qe");

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.False(m.Has(NamedValueMessages.Ttl));
        Assert.Equal(0, m.Seq);
        Assert.True(m.Has(KrpcFields.Seq));
    }

    [Theory]
    [InlineData("3:seqi1e6:target20:{T}5:token4:tokn")]
    [InlineData("3:seqi1e6:target20:{T}1:v5:world")]
    [InlineData("3:seqi1e5:token4:tokn1:v5:world")]
    [InlineData("6:target20:{T}5:token4:tokn1:v5:world")]
    public void StoreQuery_WithoutARequiredArgument_IsMalformed(string template)
    {
        string fields = template.Replace("{T}", HelloTarget, StringComparison.Ordinal);

        var (result, _) = TestBytes.Parse($"d1:ad2:id20:abcdefghij0123456789{fields}e1:q5:store1:t2:aa1:y1:qe");

        Assert.Equal(KrpcParseStatus.Malformed, result.Status);
        Assert.Equal("missing token, target, v or seq", result.Reason);
    }

    [Theory]
    [InlineData("3:ttli-1e", "invalid ttl")]
    [InlineData("3:ttl2:10", "invalid ttl")]
    public void StoreQuery_WithBadTtl_IsMalformed(string ttl, string reason)
    {
        var (result, _) = TestBytes.Parse(
            $"d1:ad2:id20:abcdefghij01234567893:seqi1e6:target20:{HelloTarget}5:token4:tokn{ttl}1:v5:worlde1:q5:store1:t2:aa1:y1:qe");

        Assert.Equal(KrpcParseStatus.Malformed, result.Status);
        Assert.Equal(reason, result.Reason);
    }

    [Fact]
    public void FindValueQuery_WithoutTarget_IsMalformed()
    {
        var (result, _) = TestBytes.Parse("d1:ad2:id20:abcdefghij0123456789e1:q10:find_value1:t2:aa1:y1:qe");

        Assert.Equal(KrpcParseStatus.Malformed, result.Status);
        Assert.Equal("missing target", result.Reason);
    }
}
