// The write half of "look up, then write to every node that gave a token": announce_peer, BEP 44 put, named
// store, read repair, replication and hand-over all go through it. Each node among the given ones that handed
// out a write token in the lookup gets one query with that token; the write completes when each of them has
// answered, refused with an error, or passed its query timeout.
using Dht.Engine.Loop;
using Dht.Engine.Network;
using Dht.Protocol;
using Dht.Protocol.Krpc;

namespace Dht.Engine.Operations;

/// <summary>Writes to nodes that gave a token, and collects the outcomes.</summary>
internal sealed class WritePath(IQueryNetwork network, NodeLoop loop, TimeProvider time)
{
    /// <summary>
    /// Writes to the k closest nodes that answered <paramref name="lookup"/>, each with the token it gave.
    /// </summary>
    public Task<WriteOutcome> WriteAsync(LookupRun lookup, KrpcMethod method, Action<KrpcMessage> arguments)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        return WriteAsync(method, lookup.Lookup.Results, lookup.Tokens, arguments);
    }

    /// <summary>
    /// Sends a <paramref name="method"/> query, its arguments set by <paramref name="arguments"/>, to each of
    /// <paramref name="nodes"/> that has a token in <paramref name="tokens"/>. Call on the loop.
    /// </summary>
    public Task<WriteOutcome> WriteAsync(
        KrpcMethod method, IEnumerable<NodeInfo> nodes, IReadOnlyDictionary<NodeId, byte[]> tokens, Action<KrpcMessage> arguments)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(arguments);
        var batch = new WriteBatch(loop);
        var now = time.GetUtcNow();
        foreach (var node in nodes)
        {
            if (!tokens.TryGetValue(node.Id, out var token))
            {
                continue;
            }

            var q = network.PrepareQuery(method);
            arguments(q);
            q.Token = token;
            q.Fields |= KrpcFields.Token;
            batch.Add();
            network.Send(q, node, batch, now);
        }

        batch.Seal();
        return batch.Task;
    }
}
