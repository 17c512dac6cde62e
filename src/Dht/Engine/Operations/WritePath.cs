// The write half of "look up, then write to every node that gave a token": announce_peer, BEP 44 put, named
// store, read repair, replication and hand-over all go through it. Each node among the given ones that handed
// out a write token in the lookup gets one query with that token; the write completes when each of them has
// answered, refused with an error, or passed its query timeout. The places a write lookup kept for laggards are
// written as they settle (LaggardPlaces): as part of the write while it runs, on their own after it.
using Dht.Engine.Loop;
using Dht.Engine.Network;
using Dht.Protocol;
using Dht.Protocol.Krpc;

namespace Dht.Engine.Operations;

/// <summary>Writes to nodes that gave a token, and collects the outcomes.</summary>
internal sealed class WritePath(IQueryNetwork network, NodeLoop loop, TimeProvider time)
{
    private readonly List<LaggardPlaces> _open = []; // writes with places still to settle

    /// <summary>
    /// Completes once every place the writes so far left open is settled, each within its laggard's query timeout:
    /// a node that stops on purpose waits for it, so that what it put still reaches k nodes. Call on the loop.
    /// </summary>
    public Task SettledAsync()
    {
        _open.RemoveAll(static p => p.Open == 0);
        return _open.Count == 0 ? Task.CompletedTask : Task.WhenAll(_open.Select(static p => p.AllSettled));
    }

    /// <summary>
    /// Writes to the k closest nodes that answered <paramref name="lookup"/>, each with the token it gave. When a
    /// write lookup ended without laggards (LookupRun.LaggardPlaces), each laggard's place goes to the laggard when
    /// it answers, else to a stand-in. A place settled before the write has completed is part of it (a laggard
    /// only a little slower than the others); one settled after is written on its own
    /// (<see cref="WriteOutcome.Pending"/>).
    /// </summary>
    public Task<WriteOutcome> WriteAsync(LookupRun lookup, KrpcMethod method, Action<KrpcMessage> arguments)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        var results = lookup.Lookup.Results;
        var tokens = lookup.Tokens;
        if (lookup.LaggardPlaces is not { } places)
        {
            return WriteAsync(method, results, tokens, arguments);
        }

        _open.RemoveAll(static p => p.Open == 0);
        _open.Add(places);
        var batch = new WriteBatch(loop, places);
        var settled = places.Start(node =>
        {
            if (batch.IsComplete)
            {
                WriteAsync(method, [node], tokens, arguments); // nobody awaits a place settled after the write
            }
            else
            {
                Send(batch, method, node, tokens, arguments, time.GetUtcNow());
            }
        });
        return Write(batch, method, results.Take(lookup.Lookup.AnsweredPlaces).Concat(settled), tokens, arguments);
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
        return Write(new WriteBatch(loop), method, nodes, tokens, arguments);
    }

    private Task<WriteOutcome> Write(
        WriteBatch batch, KrpcMethod method, IEnumerable<NodeInfo> nodes, IReadOnlyDictionary<NodeId, byte[]> tokens, Action<KrpcMessage> arguments)
    {
        var now = time.GetUtcNow();
        foreach (var node in nodes)
        {
            Send(batch, method, node, tokens, arguments, now);
        }

        batch.Seal();
        return batch.Task;
    }

    // Sends nothing to a node that gave no token.
    private void Send(
        WriteBatch batch, KrpcMethod method, NodeInfo node, IReadOnlyDictionary<NodeId, byte[]> tokens, Action<KrpcMessage> arguments, DateTimeOffset now)
    {
        if (!tokens.TryGetValue(node.Id, out var token))
        {
            return;
        }

        var q = network.PrepareQuery(method);
        arguments(q);
        q.Token = token;
        q.Fields |= KrpcFields.Token;
        batch.Add();
        network.Send(q, node, batch, now);
    }
}
