using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Dht.Tests.Interop;

/// <summary>
/// Proves the harness around webtorrent's bittorrent-dht: two driver peers on loopback talk to each other.
/// Interop tests against our own node build on <see cref="WebTorrentPeer"/>.
/// </summary>
public sealed class WebTorrentDriverTests
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TwoPeers_PingEachOther_AndShareAnImmutableItem()
    {
        Assert.True(WebTorrentPeer.IsNodeAvailable(), "Node.js is needed for interop tests: `node --version` did not run");
        using (var install = new CancellationTokenSource(InstallTimeout))
        {
            await WebTorrentPeer.EnsureInstalledAsync(install.Token);
        }

        using var cts = new CancellationTokenSource(TestTimeout);
        var ct = cts.Token;
        await using var first = await WebTorrentPeer.StartAsync(FreeUdpPort.Next(), [], ct);
        await using var second = await WebTorrentPeer.StartAsync(FreeUdpPort.Next(), [first.EndPoint], ct);

        try
        {
            Assert.True(await second.BootstrapAsync(ct) >= 1);

            var pong = await second.PingAsync(first.EndPoint, ct);
            Assert.Equal(first.Id, pong.NodeId);
            var pongBack = await first.PingAsync(second.EndPoint, ct);
            Assert.Equal(second.Id, pongBack.NodeId);

            const string Value = "hello from the interop harness";
            var put = await first.PutImmutableAsync(Value, ct);
            var expectedTarget = Convert.ToHexStringLower(
                SHA1.HashData(Encoding.UTF8.GetBytes($"{Encoding.UTF8.GetByteCount(Value)}:{Value}")));
            Assert.Equal(expectedTarget, put.Target);
            Assert.Equal(1, put.Nodes);

            var item = await second.GetImmutableAsync(put.Target, ct);
            Assert.True(item.Found);
            Assert.Equal(Value, item.Text);
            Assert.False(item.FromCache);
            Assert.Equal(first.Id, item.NodeId);
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException(
                $"{ex}\n--- first peer stderr ---\n{first.StandardError}\n--- second peer stderr ---\n{second.StandardError}");
        }
    }
}
