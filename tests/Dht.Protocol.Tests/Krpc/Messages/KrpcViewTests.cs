// The typed views: each method's query and response view reaches exactly the keys its description lists (so a
// key added to a description without its accessor, or an accessor without its key, fails here), views are
// taken only over messages of their method, and the writer refuses a message carrying a key its method does
// not list.
using System.Buffers;
using System.Reflection;
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.Messages;
using Dht.Protocol.Krpc.NamedValues;

namespace Dht.Protocol.Tests.Krpc.Messages;

public sealed class KrpcViewTests
{
    private static readonly Dictionary<KrpcMethod, (Type Query, Type Response)> Views = new()
    {
        [KrpcMethod.Ping] = (typeof(PingQuery), typeof(PingResponse)),
        [KrpcMethod.FindNode] = (typeof(FindNodeQuery), typeof(FindNodeResponse)),
        [KrpcMethod.GetPeers] = (typeof(GetPeersQuery), typeof(GetPeersResponse)),
        [KrpcMethod.AnnouncePeer] = (typeof(AnnouncePeerQuery), typeof(AnnouncePeerResponse)),
        [KrpcMethod.Get] = (typeof(GetQuery), typeof(GetResponse)),
        [KrpcMethod.Put] = (typeof(PutQuery), typeof(PutResponse)),
        [NamedValueMethods.FindValue] = (typeof(FindValueQuery), typeof(FindValueResponse)),
        [NamedValueMethods.Store] = (typeof(StoreQuery), typeof(StoreResponse)),
    };

    public static TheoryData<string> DefaultMethods => [.. KrpcSchema.Default.Methods.Select(m => m.Name)];

    [Fact]
    public void EveryMethodOfTheDefaultSchema_HasViews()
    {
        Assert.Equal(KrpcSchema.Default.Methods.Select(m => m.Method).Order(), Views.Keys.Order());
    }

    [Theory]
    [MemberData(nameof(DefaultMethods))]
    public void QueryView_SetsExactlyTheArgumentsItsDescriptionLists(string name)
    {
        var method = Find(name);
        var m = new KrpcMessage { Kind = KrpcMessageKind.Query, Method = method.Method };

        SetEveryProperty(Views[method.Method].Query, m);

        Assert.Equal(method.QueryFields, m.Fields);
    }

    [Theory]
    [MemberData(nameof(DefaultMethods))]
    public void ResponseView_SetsExactlyTheReturnValuesItsDescriptionLists(string name)
    {
        var method = Find(name);
        var m = new KrpcMessage { Kind = KrpcMessageKind.Response, Method = method.Method };

        SetEveryProperty(Views[method.Method].Response, m);

        Assert.Equal(method.ResponseFields, m.Fields);
    }

    [Fact]
    public void BuiltQuery_WritesAndParsesBack()
    {
        var m = new KrpcMessage { Kind = KrpcMessageKind.Query, Method = KrpcMethod.AnnouncePeer, TransactionId = "aa"u8.ToArray(), Id = NodeId.FromKey("me") };
        m.Fields = KrpcFields.Id;
        var q = AnnouncePeerQuery.Of(m);
        q.InfoHash = NodeId.FromKey("torrent");
        q.Token = "tk"u8.ToArray();
        q.Port = 6881;
        var output = new ArrayBufferWriter<byte>();

        KrpcWriter.Write(m, output);
        var parsed = new KrpcMessage();
        var result = KrpcParser.Parse(output.WrittenMemory, parsed);

        Assert.Equal(KrpcParseResult.Ok, result);
        var read = AnnouncePeerQuery.Of(parsed);
        Assert.Equal(NodeId.FromKey("torrent"), read.InfoHash);
        Assert.Equal(6881, read.Port);
        Assert.False(read.HasImpliedPort);
        Assert.Equal("tk"u8.ToArray(), read.Token.ToArray());
    }

    [Fact]
    public void View_OverAQueryOfAnotherMethod_Throws()
    {
        var m = new KrpcMessage { Kind = KrpcMessageKind.Query, Method = KrpcMethod.Ping };

        Assert.Throws<ArgumentException>(() => FindNodeQuery.Of(m));
        Assert.Throws<ArgumentException>(() => FindNodeResponse.Of(m));
    }

    [Fact]
    public void Writer_RefusesAQueryCarryingAKeyItsMethodDoesNotList()
    {
        var m = new KrpcMessage { Kind = KrpcMessageKind.Query, Method = KrpcMethod.FindNode, TransactionId = "aa"u8.ToArray() };
        m.Set(KrpcKeys.Id, NodeId.FromKey("me"));
        m.Set(KrpcKeys.Target, NodeId.FromKey("t"));
        m.Set(KrpcKeys.Token, "tk"u8.ToArray());

        var e = Assert.Throws<InvalidOperationException>(() => KrpcWriter.Write(m, new ArrayBufferWriter<byte>()));
        Assert.Contains("Token", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writer_RefusesAReplyCarryingAKeyTheMethodItAnswersDoesNotList()
    {
        var m = new KrpcMessage { Kind = KrpcMessageKind.Response, Method = KrpcMethod.FindNode, TransactionId = "aa"u8.ToArray() };
        m.Set(KrpcKeys.Id, NodeId.FromKey("me"));
        m.Set(KrpcKeys.Values, "le"u8.ToArray());

        Assert.Throws<InvalidOperationException>(() => KrpcWriter.Write(m, new ArrayBufferWriter<byte>()));
    }

    private static KrpcMethodDescription Find(string name) => KrpcSchema.Default.Methods.Single(m => m.Name == name);

    // Sets each settable property of the view over m to a value of its type (views keep the message by reference,
    // so setting through the boxed copy writes into m).
    private static void SetEveryProperty(Type view, KrpcMessage m)
    {
        object boxed = view.GetMethod("Of", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, [m])!;
        foreach (var property in view.GetProperties().Where(p => p.CanWrite))
        {
            object value = property.PropertyType switch
            {
                var t when t == typeof(NodeId) => NodeId.FromKey(property.Name),
                var t when t == typeof(long) => 1L,
                var t when t == typeof(bool) => true,
                _ => (ReadOnlyMemory<byte>)"1:x"u8.ToArray(),
            };
            property.SetValue(boxed, value);
        }
    }
}
