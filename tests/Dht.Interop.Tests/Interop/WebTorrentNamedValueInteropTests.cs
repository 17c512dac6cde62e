using System.Text;
using Dht.Protocol;

namespace Dht.Tests.Interop;

/// <summary>
/// Named values in a network that is mostly webtorrent's bittorrent-dht, which does not serve them and never
/// answers a method it does not know: our named put and get reach only our nodes, never cost a bittorrent-dht
/// contact its standing in our routing tables, and a BEP 44 put right after still reaches every one of them.
/// </summary>
public sealed class WebTorrentNamedValueInteropTests
{
    private const int TheirPeers = 12;
    private const int OurNodes = 3;

    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task NamedPutAndGet_AmongBittorrentDhtPeers_ReachOnlyOurs_AndABep44PutAfterStillStoresAtThem()
    {
        Assert.True(WebTorrentPeer.IsNodeAvailable(), "Node.js is needed for interop tests: `node --version` did not run");
        using (var install = new CancellationTokenSource(InstallTimeout))
        {
            await WebTorrentPeer.EnsureInstalledAsync(install.Token);
        }

        using var cts = new CancellationTokenSource(TestTimeout);
        await using var network = await MixedLoopbackNetwork.StartAsync(TheirPeers, OurNodes, cts.Token);
        await network.RunAsync(async () =>
        {
            var goodBefore = network.Ours.ToDictionary(o => o, Good);
            foreach (var (node, good) in goodBefore)
            {
                Assert.True(good >= 8, $"our node {node.Id} holds {good} contacts as good before the put");
            }

            var writer = network.Ours[0];
            var put = await writer.PutAsync("interop named key", Encoding.UTF8.GetBytes("named value"), cancellationToken: cts.Token);
            Assert.Equal(OurNodes - 1, put.NodesAsked);
            Assert.Equal(OurNodes - 1, put.NodesStored);
            var got = await network.Ours[^1].GetAsync("interop named key", cts.Token);
            Assert.True(got.Found, "our other node did not find the named value");
            Assert.Equal("named value", Encoding.UTF8.GetString(got.Value.Span));

            foreach (var peer in network.Theirs)
            {
                var stats = await peer.StatsAsync(cts.Token);
                Assert.False(stats.Queries.ContainsKey("find_value"), $"bittorrent-dht {peer.Id} was sent find_value");
                Assert.False(stats.Queries.ContainsKey("store"), $"bittorrent-dht {peer.Id} was sent store");
            }

            foreach (var (node, good) in goodBefore)
            {
                Assert.True(Good(node) >= good, $"our node {node.Id} holds {Good(node)} contacts as good after the named put and get, {good} before");
            }

            var item = await writer.PutImmutableAsync(Encoding.UTF8.GetBytes("immutable after the named put"), cts.Token);
            Assert.Empty(item.ErrorCodes);
            Assert.True(item.NodesStored + item.NodesPending >= 8,
                $"the BEP 44 put after the named put stored at {item.NodesStored} of {item.NodesAsked} nodes, {item.NodesPending} to follow");
        });
    }

    private static int Good(DhtNode node) => node.GetStatus().Buckets.Sum(b => b.Good);
}
