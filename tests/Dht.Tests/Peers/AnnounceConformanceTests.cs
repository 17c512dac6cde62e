using System.Net;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Tests.Engine;
using Dht.Tests.Storage;
using static Dht.TestSupport.Storage.ScriptedStores;

namespace Dht.Tests.Peers;

/// <summary>
/// announce_peer from strangers, as datagrams from separate sockets on 127.0.0.1 (each its own source): an
/// announce past the per-source cap is answered with an error, not "ok", and one address with many ports
/// cannot flush a swarm.
/// </summary>
public sealed class AnnounceConformanceTests : IAsyncLifetime
{
    private readonly DhtNode _node = new(new DhtOptions
    {
        Port = 0,
        ListenAddress = IPAddress.Loopback,
        MaxQueriesPerSecondPerIp = 100_000, // the scripted peers send as fast as loopback answers
        MaxPeersPerInfoHash = 10,
    });

    private readonly List<ScriptedPeer> _peers = [];
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    public Task InitializeAsync() => _node.StartAsync();

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _peers.ForEach(p => p.Dispose());
        _timeout.Dispose();
    }

    private CancellationToken Ct => _timeout.Token;

    [Fact]
    public async Task Announce_PastThePerSourceCap_GetsAnError_AndAnotherSourceIsStillStored()
    {
        var flooder = Peer("flooder");
        var token = await flooder.TokenAsync(_node.LocalEndPoint, Ct);
        for (int i = 0; i < 64; i++)
        {
            AssertOk(await flooder.AnnounceAsync(_node.LocalEndPoint, token, NodeId.FromKey($"swarm {i}"), 6881, Ct));
        }

        var refused = await flooder.AnnounceAsync(_node.LocalEndPoint, token, NodeId.FromKey("swarm 64"), 6881, Ct);

        AssertError(KrpcErrorCode.Server, refused);
        Assert.Equal("aa"u8.ToArray(), refused.TransactionId.ToArray());
        AssertOk(await Peer("other").AnnounceAsync(_node.LocalEndPoint, token, NodeId.FromKey("swarm 64"), 6881, Ct));
    }

    [Fact]
    public async Task Announce_OfManyPortsFromOneSocket_DoesNotFlushTheSwarmsOtherPeers()
    {
        var swarm = NodeId.FromKey("a swarm");
        var legitimate = Enumerable.Range(0, 5).Select(i => Peer($"peer {i}")).ToList();
        var token = await legitimate[0].TokenAsync(_node.LocalEndPoint, Ct);
        foreach (var peer in legitimate)
        {
            AssertOk(await peer.AnnounceAsync(_node.LocalEndPoint, token, swarm, peer.EndPoint.Port, Ct));
        }

        var attacker = Peer("attacker");
        for (int port = 0; port < 12; port++)
        {
            await attacker.AnnounceAsync(_node.LocalEndPoint, token, swarm, 7000 + port, Ct);
        }

        var answer = await legitimate[0].GetPeersAsync(_node.LocalEndPoint, swarm, Ct);
        var stored = new List<NetEndPoint>();
        KrpcLists.ReadPeers(answer.Values.Span, stored, 100);
        Assert.All(legitimate, p => Assert.Contains(p.EndPoint, stored));
    }

    private ScriptedPeer Peer(string name)
    {
        var peer = new ScriptedPeer(name);
        _peers.Add(peer);
        return peer;
    }
}
