// Kademlia section 2.5: a node that enters the routing table gets the values it is now among the k closest
// to, if it is closer to them than we are. Only values whose k-th closest known contact is farther than the
// new node are handed over; each one with a find_value (for a write token) and a store.
using Dht.Engine.Network;
using Dht.Engine.Operations;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Storage;

namespace Dht.Engine.NamedValues;

/// <summary>Hands held values to new contacts that are closer to them.</summary>
internal sealed class NamedValueHandOver(NamedValuePolicy policy, IOperationContext operations) : IContactListener
{
    private readonly List<NodeInfo> _closest = [];

    public void OnContactAdded(IQueryNetwork network, NodeInfo node, DateTimeOffset now)
    {
        if (policy.Count == 0 || network.ExtensionOf(node) != Routing.ExtensionSupport.Speaks)
        {
            return;
        }

        List<NamedValue>? handOver = null;
        foreach (var value in policy.Live(now))
        {
            if (value.Target.CompareDistance(node.Id, network.LocalId) >= 0)
            {
                continue;
            }

            _closest.Clear();
            network.FindClosest(value.Target, operations.K, _closest);
            if (_closest.Count < operations.K || value.Target.CompareDistance(node.Id, _closest[^1].Id) <= 0)
            {
                (handOver ??= []).Add(value);
            }
        }

        if (handOver is not null)
        {
            operations.RunInBackground(HandOverAsync(node, handOver));
        }
    }

    private async Task HandOverAsync(NodeInfo node, List<NamedValue> values)
    {
        foreach (var value in values)
        {
            var answer = await operations.QueryAsync(node, KrpcMethod.FindValue, q =>
            {
                q.Target = value.Target;
                q.Fields |= KrpcFields.Target;
            }, static r => r.Has(KrpcFields.Token) ? r.Token.ToArray() : null, CancellationToken.None).ConfigureAwait(true);
            if (!answer.Answered || answer.Value is not { } token)
            {
                return;
            }

            var remaining = value.ExpiresAt - operations.Now;
            await operations.WriteAsync(KrpcMethod.Store, [node], new Dictionary<NodeId, byte[]> { [node.Id] = token },
                new StoreArguments(value.Target, value.Value.Span, value.Seq, remaining).AddTo, CancellationToken.None).ConfigureAwait(true);
        }
    }
}
