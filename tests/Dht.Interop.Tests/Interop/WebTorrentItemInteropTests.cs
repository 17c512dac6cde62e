using System.Security.Cryptography;
using System.Text;
using Dht.Crypto;
using Dht.Protocol;

namespace Dht.Tests.Interop;

/// <summary>
/// BEP 44 items across implementations: what our node puts, webtorrent's bittorrent-dht reads, and the other way
/// round, in a mixed network on 127.0.0.1. Each side's result is checked against values computed here (SHA-1 of
/// the bencoded value, of key and salt), not against the other implementation's word for it. Values hold bytes
/// that matter to bencode (':' 'e' 'i') and are not valid UTF-8, so they must travel verbatim.
/// </summary>
public sealed class WebTorrentItemInteropTests
{
    private const int TheirPeers = 3;
    private const int OurNodes = 3;

    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task OurImmutablePut_IsStoredByBittorrentDht_AndReadByItsGetOverTheNetwork()
    {
        await PrepareAsync();
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var network = await MixedLoopbackNetwork.StartAsync(TheirPeers, OurNodes, cts.Token);
        await network.RunAsync(async () =>
        {
            var value = Value("immutable from our node");
            var expectedTarget = ImmutableTarget(value);

            var put = await network.Ours[0].PutImmutableAsync(value, cts.Token);
            Assert.Equal(expectedTarget, put.Target.ToString());
            Assert.Equal(0, put.Seq);
            Assert.Empty(put.ErrorCodes);
            Assert.True(put.NodesStored >= TheirPeers, $"{put.NodesStored} of {put.NodesAsked} nodes stored our put");

            // Every bittorrent-dht peer accepted it from our node, byte for byte.
            foreach (var peer in network.Theirs)
            {
                var held = await peer.LocalAsync(expectedTarget, cts.Token);
                Assert.True(held.Found, $"bittorrent-dht {peer.Id} does not hold our immutable item");
                Assert.Equal(value, held.Value);
                Assert.Equal(network.Ours[0].Id.ToString(), held.NodeId);
            }

            // A holder's get still walks the network: the answer comes from another node, not its own copy.
            var reader = network.Theirs[^1];
            var item = await reader.GetImmutableAsync(expectedTarget, cts.Token);
            Assert.True(item.Found, "bittorrent-dht's get did not find our immutable item");
            Assert.False(item.FromCache, "bittorrent-dht answered from its own store, not from the network");
            Assert.Equal(value, item.Value);
            Assert.NotEqual(reader.Id, item.NodeId);
            Assert.Contains(item.NodeId, network.NodeIds);
        });
    }

    [Fact]
    public async Task BittorrentDhtImmutablePut_IsReadByOurGet_UnderSha1OfTheBencodedValue()
    {
        await PrepareAsync();
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var network = await MixedLoopbackNetwork.StartAsync(TheirPeers, OurNodes, cts.Token);
        await network.RunAsync(async () =>
        {
            var value = Value("immutable from bittorrent-dht");
            var expectedTarget = ImmutableTarget(value);

            var put = await network.Theirs[0].PutImmutableAsync(value, cts.Token);
            Assert.Equal(expectedTarget, put.Target);
            Assert.True(put.Nodes >= OurNodes, $"bittorrent-dht's put reached {put.Nodes} nodes");
            foreach (var node in network.Ours)
            {
                Assert.Contains(node.HeldItems(), i => i.Target.ToString() == expectedTarget && !i.IsMutable);
            }

            foreach (var node in network.Ours)
            {
                var item = await node.GetImmutableAsync(NodeId.Parse(put.Target), cts.Token);
                Assert.True(item.Found, $"our node {node.Id} did not find bittorrent-dht's immutable item");
                Assert.Equal(expectedTarget, item.Target.ToString());
                Assert.Equal(value, item.Value.ToArray());
                Assert.Equal(Bencoded(value), item.EncodedValue.ToArray());
                Assert.Equal(expectedTarget, Convert.ToHexStringLower(SHA1.HashData(item.EncodedValue.Span)));
                Assert.Equal(0, item.Seq);
            }
        });
    }

    [Theory]
    [InlineData("")]
    [InlineData("interop salt")]
    public async Task OurMutablePuts_AreStoredByBittorrentDht_AndItsGetReadsTheNewestSeq(string salt)
    {
        await PrepareAsync();
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var network = await MixedLoopbackNetwork.StartAsync(TheirPeers, OurNodes, cts.Token);
        var keyPair = Ed25519KeyPair.Generate();
        var publicKey = Convert.ToHexStringLower(keyPair.PublicKey.Span);
        var saltBytes = Encoding.UTF8.GetBytes(salt);
        var expectedTarget = MutableTarget(keyPair.PublicKey.Span, saltBytes);
        network.Note($"ed25519 seed {Convert.ToHexStringLower(keyPair.ExportSeed())}, public key {publicKey}, salt \"{salt}\"");
        await network.RunAsync(async () =>
        {
            var first = Value("mutable v1 from our node");
            var second = Value("mutable v2 from our node");

            var put1 = await network.Ours[0].PutMutableAsync(keyPair, saltBytes, first, cancellationToken: cts.Token);
            Assert.Equal(expectedTarget, put1.Target.ToString());
            Assert.Equal(1, put1.Seq);
            Assert.Empty(put1.ErrorCodes);
            await AssertTheirPeersHoldAsync(network, expectedTarget, publicKey, first, 1, network.Ours[0], cts.Token);

            // The second put finds seq 1 (on both implementations' nodes) and writes seq 2; nobody refuses it as stale.
            var put2 = await network.Ours[1].PutMutableAsync(keyPair, saltBytes, second, cancellationToken: cts.Token);
            Assert.Equal(expectedTarget, put2.Target.ToString());
            Assert.Equal(2, put2.Seq);
            Assert.Empty(put2.ErrorCodes);
            Assert.True(put2.NodesStored >= TheirPeers, $"{put2.NodesStored} of {put2.NodesAsked} nodes stored seq 2");
            await AssertTheirPeersHoldAsync(network, expectedTarget, publicKey, second, 2, network.Ours[1], cts.Token);

            // A peer that joins now holds nothing, so what its get returns came over the network and its signature
            // passed Node's ed25519 verify.
            var reader = await network.JoinWebTorrentPeerAsync(cts.Token);
            var item = await reader.GetMutableAsync(publicKey, saltBytes, cts.Token);
            Assert.True(item.Found, "bittorrent-dht's get did not find our mutable item");
            Assert.False(item.FromCache, "bittorrent-dht answered from its own store, not from the network");
            Assert.Equal(second, item.Value);
            Assert.Equal(2, item.Seq);
            Assert.Equal(publicKey, item.PublicKey);
            Assert.Contains(item.NodeId, network.NodeIds);
        });
    }

    [Theory]
    [InlineData("")]
    [InlineData("interop salt")]
    public async Task BittorrentDhtMutablePuts_AreReadByOurGet_WithTheNewestValueAndSeq(string salt)
    {
        await PrepareAsync();
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var network = await MixedLoopbackNetwork.StartAsync(TheirPeers, OurNodes, cts.Token);

        // The same RFC 8032 seed on both sides must give the same key: the driver signs with Node's crypto.
        var seed = RandomNumberGenerator.GetBytes(Ed25519KeyPair.SeedSize);
        var seedHex = Convert.ToHexStringLower(seed);
        var keyPair = Ed25519KeyPair.FromSeed(seed);
        var publicKey = Convert.ToHexStringLower(keyPair.PublicKey.Span);
        var saltBytes = Encoding.UTF8.GetBytes(salt);
        var expectedTarget = MutableTarget(keyPair.PublicKey.Span, saltBytes);
        network.Note($"ed25519 seed {seedHex}, public key {publicKey}, salt \"{salt}\"");
        await network.RunAsync(async () =>
        {
            var first = Value("mutable v1 from bittorrent-dht");
            var second = Value("mutable v2 from bittorrent-dht");

            var put1 = await network.Theirs[0].PutMutableAsync(first, 1, saltBytes, seedHex, cts.Token);
            Assert.Equal(publicKey, put1.PublicKey);
            Assert.Equal(expectedTarget, put1.Target);
            Assert.True(put1.Nodes >= OurNodes, $"bittorrent-dht's seq 1 put reached {put1.Nodes} nodes");

            var put2 = await network.Theirs[1].PutMutableAsync(second, 2, saltBytes, seedHex, cts.Token);
            Assert.Equal(expectedTarget, put2.Target);
            Assert.True(put2.Nodes >= OurNodes, $"bittorrent-dht's seq 2 put reached {put2.Nodes} nodes");

            // Our nodes verified the signatures and replaced seq 1 with seq 2.
            foreach (var node in network.Ours)
            {
                var held = Assert.Single(node.HeldItems(), i => i.Target.ToString() == expectedTarget);
                Assert.Equal(2, held.Seq);
                Assert.Equal(Bencoded(second), held.Value.ToArray());
                Assert.Equal(saltBytes, held.Salt.ToArray());
            }

            foreach (var node in network.Ours)
            {
                var item = await node.GetMutableAsync(keyPair.PublicKey, saltBytes, cts.Token);
                Assert.True(item.Found, $"our node {node.Id} did not find bittorrent-dht's mutable item");
                Assert.Equal(expectedTarget, item.Target.ToString());
                Assert.Equal(2, item.Seq);
                Assert.Equal(second, item.Value.ToArray());
                Assert.Equal(Bencoded(second), item.EncodedValue.ToArray());
                Assert.True(item.NodesWithItem >= 1);
            }
        });
    }

    /// <summary>Checks Node.js is there and installs the driver's packages, before the test's own clock starts.</summary>
    private static async Task PrepareAsync()
    {
        Assert.True(WebTorrentPeer.IsNodeAvailable(), "Node.js is needed for interop tests: `node --version` did not run");
        using var install = new CancellationTokenSource(InstallTimeout);
        await WebTorrentPeer.EnsureInstalledAsync(install.Token);
    }

    private static async Task AssertTheirPeersHoldAsync(
        MixedLoopbackNetwork network, string target, string publicKey, byte[] value, long seq, DhtNode putter, CancellationToken ct)
    {
        foreach (var peer in network.Theirs)
        {
            var held = await peer.LocalAsync(target, ct);
            Assert.True(held.Found, $"bittorrent-dht {peer.Id} does not hold seq {seq} of our mutable item");
            Assert.Equal(seq, held.Seq);
            Assert.Equal(value, held.Value);
            Assert.Equal(publicKey, held.PublicKey);
            Assert.Equal(putter.Id.ToString(), held.NodeId);
        }
    }

    /// <summary>A value that is not valid UTF-8 and holds bencode's delimiters.</summary>
    private static byte[] Value(string text) => [.. Encoding.UTF8.GetBytes(text), 0x00, 0xFF, (byte)':', (byte)'e', (byte)'i', 0xC3];

    private static byte[] Bencoded(byte[] value) =>
        [.. Encoding.ASCII.GetBytes($"{value.Length}:"), .. value];

    private static string ImmutableTarget(byte[] value) => Convert.ToHexStringLower(SHA1.HashData(Bencoded(value)));

    private static string MutableTarget(ReadOnlySpan<byte> publicKey, byte[] salt) =>
        Convert.ToHexStringLower(SHA1.HashData([.. publicKey, .. salt]));
}
