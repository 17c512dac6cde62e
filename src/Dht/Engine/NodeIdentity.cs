// Who the node is: its id and its ed25519 signing key (for signed values). A node with a state store comes back
// from a restart as itself; a configured id that differs from the saved one wins, with a fresh key.
using Dht.Crypto;
using Dht.Protocol;
using Dht.Storage;

namespace Dht.Engine;

/// <summary>The node's id and signing key.</summary>
internal sealed class NodeIdentity
{
    private NodeIdentity(NodeId id, Ed25519KeyPair signingKey)
    {
        Id = id;
        SigningKey = signingKey;
    }

    /// <summary>Our client version in KRPC's top-level <c>v</c>: "KV" and version 0.1.</summary>
    public static ReadOnlyMemory<byte> ClientVersion { get; } = new byte[] { (byte)'K', (byte)'V', 0, 1 };

    public NodeId Id { get; }

    public Ed25519KeyPair SigningKey { get; }

    /// <summary>True when a node's client version says it is one of ours (so it serves our extension).</summary>
    public static bool IsOurs(ReadOnlySpan<byte> clientVersion) =>
        clientVersion.Length >= 2 && clientVersion[..2].SequenceEqual(ClientVersion.Span[..2]);

    /// <summary>
    /// The saved identity when there is one (and <paramref name="configuredId"/> does not differ), else a new one
    /// (the configured id, or a random one), saved for the next run.
    /// </summary>
    public static NodeIdentity Load(NodeId? configuredId, INodeStateStore? state, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (state is not null && state.TryLoadIdentity(out var savedId, out var seed) && (configuredId is null || configuredId == savedId))
        {
            return new NodeIdentity(savedId, Ed25519KeyPair.FromSeed(seed));
        }

        var id = configuredId ?? RandomId(random);
        Span<byte> newSeed = stackalloc byte[Ed25519KeyPair.SeedSize];
        random.NextBytes(newSeed);
        var identity = new NodeIdentity(id, Ed25519KeyPair.FromSeed(newSeed));
        state?.SaveIdentity(id, newSeed);
        return identity;
    }

    private static NodeId RandomId(IRandomSource random)
    {
        Span<byte> bytes = stackalloc byte[NodeId.Size];
        random.NextBytes(bytes);
        return new NodeId(bytes);
    }
}
