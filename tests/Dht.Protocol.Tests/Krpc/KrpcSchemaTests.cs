// Schemas: an extension brings its own methods (and keys) to the core tables, and the parser and writer
// speak exactly what the schema they are given describes; a method no schema describes is answered 204.
using System.Buffers;
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.NamedValues;
using Dht.Protocol.Tests.Support;

namespace Dht.Protocol.Tests.Krpc;

public sealed class KrpcSchemaTests
{
    private const KrpcMethod SampleId = (KrpcMethod)200;

    private static readonly KrpcMethodDescription Sample = new(
        SampleId,
        "sample_echo",
        required: [KrpcKeys.Target, KrpcKeys.Token],
        optional: [NamedValueMessages.Ttl],
        returns: [KrpcKeys.Value],
        check: static m => m.Has(NamedValueMessages.Ttl) && m.GetInteger(NamedValueMessages.Ttl) > 60 ? "ttl too long" : null);

    private static readonly KrpcSchema WithSample = KrpcSchema.Core.With(NamedValueMessages.Keys, [Sample]);

    [Fact]
    public void ExtensionMethod_RegisteredOutsideTheCoreTable_ParsesAndWritesBack()
    {
        string bytes = KeySamples.Query("sample_echo", KeySamples.Body(WithSample, [KrpcKeys.Target, KrpcKeys.Token, NamedValueMessages.Ttl]));
        var message = new KrpcMessage();

        var result = KrpcParser.Parse(TestBytes.Latin1(bytes), message, WithSample);

        Assert.Equal(KrpcParseResult.Ok, result);
        Assert.Equal(SampleId, message.Method);
        Assert.Equal(KrpcFields.Id | KrpcFields.Target | KrpcFields.Token | NamedValueMessages.Ttl.Field, message.Fields);
        var output = new ArrayBufferWriter<byte>();
        KrpcWriter.Write(message, output, WithSample);
        Assert.Equal(bytes, TestBytes.Latin1(output.WrittenSpan));
    }

    [Fact]
    public void CoreMethods_HaveCoreIds_AndTheExtensionsMethodsExtensionIds()
    {
        Assert.All(KrpcSchema.Core.Methods, m => Assert.True(m.Method < KrpcMethod.FirstExtension, m.Name));
        Assert.Equal([NamedValueMethods.FindValue, NamedValueMethods.Store], NamedValueMessages.Methods.Select(m => m.Method));
        Assert.All(NamedValueMessages.Methods, m => Assert.True(m.Method >= KrpcMethod.FirstExtension, m.Name));
        Assert.Equal((int)NamedValueMethods.Store + 1, KrpcSchema.Default.MethodIdLimit);
        Assert.Equal("find_value", KrpcMethods.DisplayName(NamedValueMethods.FindValue));
    }

    [Theory]
    [InlineData("6:target20:nnnnnnnnnnnnnnnnnnnn", "missing target or token")]
    [InlineData("5:token2:tk", "missing target or token")]
    [InlineData("6:target20:nnnnnnnnnnnnnnnnnnnn5:token2:tk3:ttli61e", "ttl too long")]
    public void ExtensionMethod_IsValidatedByItsDescription(string arguments, string reason)
    {
        string bytes = KeySamples.Query("sample_echo", $"d2:id20:abcdefghij0123456789{arguments}e");

        var result = KrpcParser.Parse(TestBytes.Latin1(bytes), new KrpcMessage(), WithSample);

        Assert.Equal(KrpcParseResult.Malformed(reason), result);
    }

    [Fact]
    public void ExtensionMethod_OutsideTheSchemaInUse_IsMethodUnknown()
    {
        string bytes = KeySamples.Query("sample_echo", KeySamples.Body(WithSample, [KrpcKeys.Target, KrpcKeys.Token]));

        var (result, m) = TestBytes.Parse(bytes);

        Assert.Equal(new KrpcParseResult(KrpcParseStatus.MethodUnknown, "method unknown"), result);
        Assert.Equal(KrpcMethod.Unknown, m.Method);
        Assert.Equal("aa", TestBytes.Latin1(m.TransactionId));
    }

    [Fact]
    public void NamedValueMethod_UnderTheCoreSchema_IsMethodUnknown()
    {
        string bytes = KeySamples.Query("store", KeySamples.Body(KrpcSchema.Default, NamedValueMessages.Store.Required));
        Assert.Equal(KrpcParseResult.Ok, TestBytes.Parse(bytes).Result);

        var result = KrpcParser.Parse(TestBytes.Latin1(bytes), new KrpcMessage(), KrpcSchema.Core);

        Assert.Equal(KrpcParseStatus.MethodUnknown, result.Status);
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData("sample_infohashes")]
    [InlineData("Ping")]
    public void Query_ForAMethodNoDescriptionNames_IsMethodUnknown(string method)
    {
        var (result, m) = TestBytes.Parse(KeySamples.Query(method, "d2:id20:abcdefghij0123456789e"));

        Assert.Equal(new KrpcParseResult(KrpcParseStatus.MethodUnknown, "method unknown"), result);
        Assert.True(KrpcParser.IsAnswerable(m));
    }

    [Fact]
    public void Method_UsingAKeyTheSchemaLacks_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => KrpcSchema.Core.With([], [Sample]));
    }

    [Fact]
    public void Method_DescribedTwice_IsRefused()
    {
        var twin = new KrpcMethodDescription((KrpcMethod)201, "ping", []);

        Assert.Throws<ArgumentException>(() => KrpcSchema.Core.With([], [twin]));
        Assert.Throws<ArgumentException>(() => KrpcSchema.Core.With([], [new KrpcMethodDescription(KrpcMethod.Ping, "ping2", [])]));
    }

    [Fact]
    public void Writer_ForAMethodOutsideTheSchema_Throws()
    {
        var message = new KrpcMessage { Kind = KrpcMessageKind.Query, Method = SampleId, TransactionId = "aa"u8.ToArray(), Fields = KrpcFields.Id };

        Assert.Throws<ArgumentOutOfRangeException>(() => KrpcWriter.Write(message, new ArrayBufferWriter<byte>()));
    }

    [Fact]
    public void Parse_WithAnExtensionSchema_AllocatesNothing()
    {
        byte[] datagram = TestBytes.Latin1(KeySamples.Query("sample_echo", KeySamples.Body(WithSample, [KrpcKeys.Target, KrpcKeys.Token])));
        var message = new KrpcMessage();
        for (int i = 0; i < 100; i++)
        {
            Assert.True(KrpcParser.Parse(datagram, message, WithSample).IsOk);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            KrpcParser.Parse(datagram, message, WithSample);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
