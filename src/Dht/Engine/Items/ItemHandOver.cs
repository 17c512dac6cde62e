// The BEP 44 side of hand-over (Engine/Maintenance/HandOver): which held items a new contact is closer to, and
// handing each over with a get (for a write token; for a mutable item it carries our seq, so a contact that
// holds it or a newer one answers without the value) and a put, unless the contact already holds it.
//
// Only our own nodes are handed items. BEP 44 has holders keep nothing alive (the publisher re-puts hourly),
// and a foreign node gets what it is owed that way, as anywhere in Mainline; among our nodes the hand-over
// lets an item put by a lone node reach the nodes that join it. An item handed over lives its full lifetime
// (BEP 44 has no remaining-lifetime field), so it may outlive the holder's copy by up to that.
using Dht.Engine.Maintenance;
using Dht.Engine.Operations;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.Messages;
using Dht.Storage;

namespace Dht.Engine.Items;

/// <summary>Hands held BEP 44 items to new contacts that are closer to them.</summary>
internal sealed class ItemHandOver(ItemPolicy policy, IOperationContext operations) : IHandOverSource
{
    public bool Serves(ReadOnlySpan<byte> clientVersion) => NodeIdentity.IsOurs(clientVersion);

    public int HeldCloserTo(NodeId node, int maxExamined, List<NodeId> into) => policy.HeldCloserTo(node, maxExamined, into);

    public async Task HandOverAsync(NodeInfo node, IReadOnlyList<NodeId> targets)
    {
        foreach (var target in targets)
        {
            if (!policy.TryGet(target, operations.Now, out var item))
            {
                continue;
            }

            var answer = await operations.QueryAsync(node, KrpcMethod.Get, m =>
            {
                var q = GetQuery.Of(m);
                q.Target = target;
                if (item.IsMutable)
                {
                    q.Seq = item.Seq;
                }
            }, m =>
            {
                var r = GetResponse.Of(m);
                return new Held(r.HasToken ? r.Token.ToArray() : null, item.IsMutable ? r.HasSeq && r.Seq >= item.Seq : r.HasValue);
            }, CancellationToken.None).ConfigureAwait(true);
            if (!answer.Answered)
            {
                return; // gone again: the publisher's re-put reaches it
            }

            if (answer.Value is not { Token: { } token, Current: false })
            {
                continue;
            }

            await operations.WriteAsync(KrpcMethod.Put, [node], new Dictionary<NodeId, byte[]> { [node.Id] = token },
                q => ItemPutArguments.AddTo(q, item.Value, item.PublicKey, item.Salt, item.Seq, item.Signature, null), CancellationToken.None)
                .ConfigureAwait(true);
        }
    }

    // What the contact answered: its write token, and whether it already holds the item (this seq or newer).
    private sealed record Held(byte[]? Token, bool Current);
}
