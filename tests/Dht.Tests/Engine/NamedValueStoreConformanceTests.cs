using System.Net;
using System.Text;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.NamedValues;

namespace Dht.Tests.Engine;

/// <summary>
/// The named-value extension's find_value and store against a real node, from hand-built datagrams: every
/// refused store gets its KRPC error and leaves what a following find_value answers exactly as it was.
/// </summary>
public sealed class NamedValueStoreConformanceTests : IAsyncLifetime
{
    private static readonly NodeId Target = NodeId.FromKey("conformance/named");

    private readonly DhtNode _node = new(new DhtOptions { Port = 0, ListenAddress = IPAddress.Loopback });
    private readonly ScriptedPeer _peer = new();
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));

    public Task InitializeAsync() => _node.StartAsync();

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _peer.Dispose();
        _timeout.Dispose();
    }

    [Fact]
    public async Task Store_WithABadToken_Gets203AndFindValueFindsNothing()
    {
        var reply = await Store("nope"u8.ToArray(), Encoded("hello"), seq: 1);

        AssertError(KrpcErrorCode.Protocol, reply);
        AssertNothingHeld(await FindValue());
    }

    [Fact]
    public async Task Store_WithoutAToken_Gets203AndFindValueFindsNothing()
    {
        var reply = await Store(token: null, Encoded("hello"), seq: 1);

        AssertError(KrpcErrorCode.Protocol, reply);
        AssertNothingHeld(await FindValue());
    }

    [Fact]
    public async Task Store_WhoseVIsNotAByteString_Gets203AndFindValueFindsNothing()
    {
        var token = await Token();

        var reply = await Store(token, "i42e"u8.ToArray(), seq: 1);

        AssertError(KrpcErrorCode.Protocol, reply);
        AssertNothingHeld(await FindValue());
    }

    [Fact]
    public async Task Store_WithALowerSeq_Gets302AndFindValueStillAnswersTheNewerValue()
    {
        var token = await Token();
        Assert.Equal(KrpcMessageKind.Response, (await Store(token, Encoded("newer"), seq: 10)).Kind);

        var reply = await Store(token, Encoded("older"), seq: 9);

        AssertError(KrpcErrorCode.SequenceTooOld, reply);
        var after = await FindValue();
        Assert.Equal(Encoded("newer"), after.Value.ToArray());
        Assert.Equal(10, after.Seq);
    }

    [Fact]
    public async Task Store_OfAValueOver1000Bytes_Gets205AndNothingIsStored()
    {
        var token = await Token();
        var value = Encoded(new string('x', 1001));

        var reply = await Store(token, value, seq: 1);

        AssertError(KrpcErrorCode.ValueTooBig, reply);
        AssertNothingHeld(await FindValue());
    }

    [Fact]
    public async Task FindValue_OfATombstone_AnswersAnEmptyStringAndItsSeq()
    {
        var token = await Token();
        Assert.Equal(KrpcMessageKind.Response, (await Store(token, Encoded("doomed"), seq: 1)).Kind);

        Assert.Equal(KrpcMessageKind.Response, (await Store(token, "0:"u8.ToArray(), seq: 2)).Kind);

        var reply = await FindValue();
        Assert.True(reply.Has(KrpcFields.Value | KrpcFields.Seq));
        Assert.Equal("0:"u8.ToArray(), reply.Value.ToArray());
        Assert.Equal(2, reply.Seq);
    }

    [Fact]
    public async Task Store_OfAValueBelowAHeldTombstone_Gets302AndTheTombstoneStays()
    {
        var token = await Token();
        Assert.Equal(KrpcMessageKind.Response, (await Store(token, "0:"u8.ToArray(), seq: 5)).Kind);

        var reply = await Store(token, Encoded("revived"), seq: 4);

        AssertError(KrpcErrorCode.SequenceTooOld, reply);
        var after = await FindValue();
        Assert.Equal("0:"u8.ToArray(), after.Value.ToArray());
        Assert.Equal(5, after.Seq);
    }

    // ---- Helpers -------------------------------------------------------------------------------------

    private async Task<KrpcMessage> Exchange(byte[] datagram)
    {
        var (result, reply) = await _peer.ExchangeAsync(_node.LocalEndPoint, datagram, _timeout.Token);
        Assert.True(result.IsOk, result.Reason);
        return reply;
    }

    private Task<KrpcMessage> FindValue() => Exchange(_peer.Query(NamedValueMethods.FindValue, m =>
    {
        m.Target = Target;
        m.Fields |= KrpcFields.Target;
    }));

    private async Task<byte[]> Token()
    {
        var reply = await FindValue();
        Assert.True(reply.Has(KrpcFields.Token));
        return reply.Token.ToArray();
    }

    private Task<KrpcMessage> Store(byte[]? token, byte[] encodedValue, long seq) => Exchange(_peer.Query(NamedValueMethods.Store, m =>
    {
        m.Target = Target;
        m.Value = encodedValue;
        m.Seq = seq;
        m.Fields |= KrpcFields.Target | KrpcFields.Value | KrpcFields.Seq;
        if (token is not null)
        {
            m.Token = token;
            m.Fields |= KrpcFields.Token;
        }
    }));

    private static void AssertError(int code, KrpcMessage reply)
    {
        Assert.Equal(KrpcMessageKind.Error, reply.Kind);
        Assert.Equal(code, reply.ErrorCode);
        Assert.Equal("aa"u8.ToArray(), reply.TransactionId.ToArray());
    }

    private static void AssertNothingHeld(KrpcMessage reply)
    {
        Assert.Equal(KrpcMessageKind.Response, reply.Kind);
        Assert.False(reply.Has(KrpcFields.Value));
        Assert.False(reply.Has(KrpcFields.Seq));
    }

    private static byte[] Encoded(string text) => Encoding.ASCII.GetBytes($"{text.Length}:{text}");
}
