using System.Net;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Storage;
using Dht.Tests.Engine;
using static Dht.TestSupport.Storage.ScriptedStores;

namespace Dht.Tests.Storage;

/// <summary>
/// Stores from strangers, as datagrams from separate sockets on 127.0.0.1 (each its own source): versions
/// beyond the clock window are refused, per-source quotas hold on loopback, and one source cannot evict
/// another's values.
/// </summary>
public sealed class StoreAbuseConformanceTests : IAsyncLifetime
{
    private readonly DhtNode _node = new(new DhtOptions
    {
        Port = 0,
        ListenAddress = IPAddress.Loopback,
        MaxQueriesPerSecondPerIp = 100_000, // the scripted peers send as fast as loopback answers
        StorageLimits = new StorageLimits { MaxItems = 40, MaxItemsPerSourceIp = 40 },
    });

    private readonly ScriptedPeer _alice = new("alice");
    private readonly ScriptedPeer _bob = new("bob");
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    public Task InitializeAsync() => _node.StartAsync();

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _alice.Dispose();
        _bob.Dispose();
        _timeout.Dispose();
    }

    private CancellationToken Ct => _timeout.Token;

    private static long ClockSeq => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;

    [Fact]
    public async Task Store_WithAnUnreachableSeq_Gets302_AndTheOwnerKeepsWriting()
    {
        var target = NodeId.FromKey("victim");
        var token = await _alice.TokenAsync(_node.LocalEndPoint, Ct);
        AssertOk(await _alice.StoreAsync(_node.LocalEndPoint, token, target, "good-value", ClockSeq, Ct));

        AssertError(KrpcErrorCode.SequenceTooOld, await _bob.StoreAsync(_node.LocalEndPoint, token, target, "ATTACKER", long.MaxValue, Ct));
        AssertError(KrpcErrorCode.SequenceTooOld, await _bob.StoreAsync(_node.LocalEndPoint, token, target, "", long.MaxValue, Ct));
        AssertOk(await _alice.StoreAsync(_node.LocalEndPoint, token, target, "good-value-2", ClockSeq + 1, Ct));

        var held = await _alice.FindValueAsync(_node.LocalEndPoint, target, Ct);
        Assert.Equal("12:good-value-2"u8.ToArray(), held.Value.ToArray());
    }

    [Fact]
    public async Task Store_FromOneSourceNearOurId_DoesNotEvictAnotherSourcesValues()
    {
        var token = await _alice.TokenAsync(_node.LocalEndPoint, Ct);
        var far = Enumerable.Range(0, 20).Select(i => _node.Id ^ StorageIds.AtDistance(0xF0, i)).ToList();
        foreach (var target in far)
        {
            AssertOk(await _bob.StoreAsync(_node.LocalEndPoint, token, target, "bob", 1, Ct));
        }

        // Alice fills the store with targets next to the node's id: once she holds as much as Bob, she can
        // only trade her own entries.
        for (int i = 0; i < 40; i++)
        {
            await _alice.StoreAsync(_node.LocalEndPoint, token, _node.Id ^ StorageIds.AtDistance(0x01, i), "alice", 1, Ct);
        }

        foreach (var target in far)
        {
            Assert.True((await _bob.FindValueAsync(_node.LocalEndPoint, target, Ct)).Has(KrpcFields.Value), $"{target} was evicted");
        }
    }

    [Fact]
    public async Task Store_FromOneLoopbackPortPastItsQuota_Gets202_WhileAnotherPortIsStillServed()
    {
        var token = await _alice.TokenAsync(_node.LocalEndPoint, Ct);
        for (int i = 0; i < 40; i++)
        {
            AssertOk(await _alice.StoreAsync(_node.LocalEndPoint, token, NodeId.FromKey($"alice {i}"), "v", 1, Ct));
        }

        AssertError(KrpcErrorCode.Server, await _alice.StoreAsync(_node.LocalEndPoint, token, NodeId.FromKey("alice 40"), "v", 1, Ct));
        AssertOk(await _bob.StoreAsync(_node.LocalEndPoint, token, NodeId.FromKey("bob"), "v", 1, Ct));
    }
}
