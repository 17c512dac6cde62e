// The named-value side of hand-over (Engine/Maintenance/HandOver): which held values a new contact is closer to,
// and handing each one over with a find_value (for a write token, and to see what the contact holds) and a
// store, unless the contact already holds that version or a newer one. Only nodes that advertise our client
// version are handed named values: others do not serve the extension.
using Dht.Engine.Maintenance;
using Dht.Engine.Operations;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.NamedValues;
using Dht.Storage;

namespace Dht.Engine.NamedValues;

/// <summary>Hands held named values to new contacts that are closer to them.</summary>
internal sealed class NamedValueHandOver(NamedValuePolicy policy, IOperationContext operations) : IHandOverSource
{
    public bool Serves(ReadOnlySpan<byte> clientVersion) => NodeIdentity.IsOurs(clientVersion);

    public int HeldCloserTo(NodeId node, int maxExamined, List<NodeId> into) => policy.HeldCloserTo(node, maxExamined, into);

    public async Task HandOverAsync(NodeInfo node, IReadOnlyList<NodeId> targets)
    {
        foreach (var target in targets)
        {
            if (!policy.TryGet(target, operations.Now, out var value))
            {
                continue;
            }

            var answer = await operations.QueryAsync(node, NamedValueMethods.FindValue, m => FindValueQuery.Of(m).Target = target, m =>
            {
                var r = FindValueResponse.Of(m);
                return new Held(
                    r.HasToken ? r.Token.ToArray() : null,
                    r.HasSeq && r.HasValue && BencodedString.TryRead(r.Value.Span, out var v) && !NamedValueOrder.IsNewer(value.Seq, value.Value.Span, r.Seq, v));
            }, CancellationToken.None).ConfigureAwait(true);
            if (!answer.Answered)
            {
                return; // gone again: the rest waits for replication
            }

            if (answer.Value is not { Token: { } token, Current: false })
            {
                continue;
            }

            var remaining = value.ExpiresAt - operations.Now;
            if (remaining <= TimeSpan.Zero)
            {
                continue;
            }

            await operations.WriteAsync(NamedValueMethods.Store, [node], new Dictionary<NodeId, byte[]> { [node.Id] = token },
                new StoreArguments(target, value.Value.Span, value.Seq, remaining).AddTo, CancellationToken.None).ConfigureAwait(true);
        }
    }

    // What the contact answered: its write token, and whether it already holds our version or a newer one.
    private sealed record Held(byte[]? Token, bool Current);
}
