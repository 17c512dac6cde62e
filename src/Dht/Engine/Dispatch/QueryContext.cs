using Dht.Engine.Network;
using Dht.Protocol;
using Dht.Tokens;

namespace Dht.Engine.Dispatch;

/// <summary>
/// The one <see cref="IQueryContext"/> of a dispatcher, pointed at each query in turn. What it hands out for a reply
/// lives in its scratch buffers until the reply is written, so answering allocates nothing.
/// </summary>
internal sealed class QueryContext(TokenManager tokens, IRandomSource random, int k) : IQueryContext
{
    private readonly List<NodeInfo> _closest = [];
    private readonly byte[] _nodesScratch = new byte[k * CompactEncoding.NodeV6Size];
    private readonly byte[] _tokenScratch = new byte[TokenManager.TokenSize];
    private NodeFamily? _family;
    private NodeId _querier;

    public NetEndPoint Source { get; private set; }

    public DateTimeOffset Now { get; private set; }

    public Random Random => random.AsRandom;

    /// <summary>Points the context at a new query.</summary>
    public void Reset(NodeFamily family, NetEndPoint source, NodeId querier, DateTimeOffset now)
    {
        _family = family;
        Source = source;
        _querier = querier;
        Now = now;
    }

    public bool ValidateToken(ReadOnlySpan<byte> token) => tokens.Validate(Source, token, Now);

    public ReadOnlyMemory<byte> WriteToken()
    {
        int n = tokens.WriteToken(Source, Now, _tokenScratch);
        return _tokenScratch.AsMemory(0, n);
    }

    public ReadOnlyMemory<byte> ClosestNodes(NodeId target, bool servingExtensionOnly = false)
    {
        _closest.Clear();
        _family!.FindClosestVerified(target, servingExtensionOnly ? 4 * k : k, _closest, Now, excluded: _querier);
        int length = 0, listed = 0;
        foreach (var node in _closest)
        {
            if (listed < k && !node.EndPoint.IsIPv6 && (!servingExtensionOnly || _family.ExtensionOf(node) == Routing.ExtensionSupport.Speaks))
            {
                length += CompactEncoding.WriteNode(node, _nodesScratch.AsSpan(length));
                listed++;
            }
        }

        return _nodesScratch.AsMemory(0, length);
    }
}
