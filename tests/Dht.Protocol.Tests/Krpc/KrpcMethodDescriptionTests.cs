// Method descriptions: which arguments a query needs is read from the method's description, and the reason
// sent back for a missing one is made from the same list.
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.NamedValues;
using Dht.Protocol.Tests.Support;

namespace Dht.Protocol.Tests.Krpc;

public sealed class KrpcMethodDescriptionTests
{
    public static TheoryData<string> DefaultMethods => [.. KrpcSchema.Default.Methods.Select(m => m.Name)];

    [Theory]
    [MemberData(nameof(DefaultMethods))]
    public void Query_WithEveryKeyItsDescriptionNames_IsOk(string name)
    {
        var method = Find(name);

        var (result, m) = TestBytes.Parse(KeySamples.Query(name, KeySamples.Body(KrpcSchema.Default, method.Required.Concat(method.Optional))));

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(method.Method, m.Method);
        Assert.True(m.Has(method.RequiredFields));
    }

    [Theory]
    [MemberData(nameof(DefaultMethods))]
    public void Query_MissingARequiredKey_IsRefusedWithTheDescriptionsReason(string name)
    {
        var method = Find(name);
        foreach (var missing in method.Required)
        {
            var keys = method.Required.Concat(method.Optional).Where(k => k != missing);

            var (result, _) = TestBytes.Parse(KeySamples.Query(name, KeySamples.Body(KrpcSchema.Default, keys)));

            Assert.Equal(KrpcParseResult.Malformed(method.MissingReason!), result);
        }
    }

    [Theory]
    [InlineData("ping", null)]
    [InlineData("find_node", "missing target")]
    [InlineData("get_peers", "missing info_hash")]
    [InlineData("announce_peer", "missing info_hash or token")]
    [InlineData("get", "missing target")]
    [InlineData("put", "missing token or v")]
    [InlineData("find_value", "missing target")]
    [InlineData("store", "missing token, target, v or seq")]
    public void MissingReason_ListsTheRequiredKeysInDescriptionOrder(string name, string? reason)
    {
        Assert.Equal(reason, Find(name).MissingReason);
    }

    [Fact]
    public void Query_WithoutTheSendersId_IsRefusedBeforeItsMethodIsLookedAt()
    {
        var (result, _) = TestBytes.Parse(KeySamples.Query("no_such_method", "de"));

        Assert.Equal(KrpcParseResult.Malformed("missing id"), result);
    }

    [Fact]
    public void NamedValueMethods_AreDescribedByTheExtension()
    {
        Assert.Equal([NamedValueMessages.FindValue, NamedValueMessages.Store], KrpcSchema.Default.Methods.Where(m => !KrpcCoreMethods.All.Contains(m)));
        Assert.Null(KrpcSchema.Core.Describe(NamedValueMethods.Store));
        Assert.Same(NamedValueMessages.Store, KrpcSchema.Default.Describe(NamedValueMethods.Store));
    }

    [Fact]
    public void EveryKey_IsUsedByAMethodOrEveryBody()
    {
        var used = KrpcSchema.Default.Methods.SelectMany(m => m.Required.Concat(m.Optional).Concat(m.Returns)).ToHashSet();

        Assert.DoesNotContain(KrpcSchema.Default.Keys, k => !k.InEveryBody && !used.Contains(k));
    }

    [Fact]
    public void Description_ForTheUnknownId_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new KrpcMethodDescription(KrpcMethod.Unknown, "nothing", []));
    }

    private static KrpcMethodDescription Find(string name) =>
        KrpcSchema.Default.Methods.SingleOrDefault(m => m.Name == name) ?? throw new InvalidOperationException(name);
}
