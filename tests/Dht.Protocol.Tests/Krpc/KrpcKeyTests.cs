// The key table: its order is the writer's order, every row round-trips through the parser and the writer,
// and every limit a row declares is what the parser enforces, with the row's reason.
using System.Text;
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.NamedValues;
using Dht.Protocol.Tests.Support;

namespace Dht.Protocol.Tests.Krpc;

public sealed class KrpcKeyTests
{
    public static TheoryData<string> DefaultKeys => [.. KrpcSchema.Default.Keys.Select(k => k.Name)];

    [Fact]
    public void CoreTable_IsDeclaredInBencodeByteOrder()
    {
        AssertStrictlyAscending(KrpcKeys.All);
    }

    [Fact]
    public void Schemas_KeepKeysInBencodeByteOrder()
    {
        AssertStrictlyAscending(KrpcSchema.Core.Keys);
        AssertStrictlyAscending(KrpcSchema.Default.Keys);
    }

    [Fact]
    public void DefaultSchema_HoldsTheCoreKeysAndTheExtensionsKeys()
    {
        Assert.Equal(KrpcKeys.All.Concat(NamedValueMessages.Keys).OrderBy(k => k.Name, StringComparer.Ordinal), KrpcSchema.Default.Keys);
        Assert.DoesNotContain(NamedValueMessages.Ttl, KrpcSchema.Core.Keys);
    }

    [Theory]
    [MemberData(nameof(DefaultKeys))]
    public void Key_WrittenAndParsedBack_RoundTrips(string name)
    {
        var key = Find(name);
        string bytes = KeySamples.Response(KeySamples.Body(KrpcSchema.Default, [key]));

        var (result, m) = TestBytes.Parse(bytes);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.True(m.Has(key.Field), $"{name} was not recognised");
        Assert.Equal(bytes, TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Fact]
    public void EveryKey_InOneMessage_IsWrittenInTableOrder()
    {
        string bytes = KeySamples.Response(KeySamples.Body(KrpcSchema.Default, KrpcSchema.Default.Keys));

        var (result, m) = TestBytes.Parse(bytes);

        Assert.Equal(KrpcParseResult.Ok, result);
        foreach (var key in KrpcSchema.Default.Keys)
        {
            Assert.True(m.Has(key.Field), $"{key.Name} was not recognised");
        }

        Assert.Equal(bytes, TestBytes.Latin1(TestBytes.Encode(m)));
    }

    [Theory]
    [MemberData(nameof(DefaultKeys))]
    public void Key_WithValueBeyondItsDescription_IsRefusedWithItsReason(string name)
    {
        var key = Find(name);
        foreach (string value in KeySamples.Invalid(key))
        {
            // Built by hand so the key sits where byte order puts it, next to a valid id.
            var others = KrpcSchema.Default.Keys.Where(k => k.InEveryBody && k != key);
            string body = "d" + string.Concat(others.Append(key).OrderBy(k => k.Name, StringComparer.Ordinal)
                .Select(k => $"{k.Name.Length}:{k.Name}{(k == key ? value : KeySamples.Valid(k))}")) + "e";

            var (result, _) = TestBytes.Parse(KeySamples.Response(body));

            Assert.True(result == KrpcParseResult.Malformed(key.InvalidReason), $"{name} = {value}: {result}");
        }
    }

    [Fact]
    public void Key_NotInTheSchema_IsSkipped()
    {
        string bytes = KeySamples.Response(KeySamples.Body(KrpcSchema.Default, [NamedValueMessages.Ttl]));
        var message = new KrpcMessage();

        var result = KrpcParser.Parse(TestBytes.Latin1(bytes), message, KrpcSchema.Core);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.False(message.Has(NamedValueMessages.Ttl));
    }

    [Fact]
    public void Key_WithAnotherKeysFieldFlag_IsRefusedBySchema()
    {
        var twin = KrpcKey.Integer("seq2", field: KrpcFields.Seq);

        Assert.Throws<ArgumentException>(() => KrpcSchema.Default.With([twin], []));
    }

    [Fact]
    public void Key_DescribedTwice_IsRefusedBySchema()
    {
        Assert.Throws<ArgumentException>(() => KrpcSchema.Core.With([KrpcKeys.Target], []));
    }

    [Fact]
    public void Key_WithAnEnvelopeFlagOrMoreThanOneFlag_IsRefusedWhenDescribed()
    {
        Assert.Throws<ArgumentException>(() => KrpcKey.String("v2", field: KrpcFields.ClientVersion));
        Assert.Throws<ArgumentException>(() => KrpcKey.Flag("both", KrpcFields.Seed | KrpcFields.ImpliedPort));
    }

    [Fact]
    public void Key_MadeWithoutAFlag_TakesAFreeOne_AndIsReadAndWrittenWithNothingElseAdded()
    {
        var extra = KrpcKey.Integer("zz_extra", minValue: 0);
        var schema = KrpcSchema.Default.With([extra], []);
        string bytes = KeySamples.Response("d2:id20:abcdefghij01234567898:zz_extrai42ee");
        var message = new KrpcMessage();

        var result = KrpcParser.Parse(TestBytes.Latin1(bytes), message, schema);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.True(message.Has(extra));
        Assert.Equal(42, message.GetInteger(extra));
        Assert.Equal(KrpcFields.None, KrpcSchema.Default.KeyFields & extra.Field);
        Assert.True(ulong.IsPow2((ulong)extra.Field));
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        KrpcWriter.Write(message, output, schema);
        Assert.Equal(bytes, TestBytes.Latin1(output.WrittenSpan));
    }

    private static KrpcKey Find(string name) =>
        KrpcSchema.Default.FindKey(Encoding.UTF8.GetBytes(name)) ?? throw new InvalidOperationException(name);

    private static void AssertStrictlyAscending(IReadOnlyList<KrpcKey> keys)
    {
        for (int i = 1; i < keys.Count; i++)
        {
            Assert.True(
                keys[i - 1].Utf8Name.SequenceCompareTo(keys[i].Utf8Name) < 0,
                $"'{keys[i - 1].Name}' must come before '{keys[i].Name}'");
        }
    }
}
