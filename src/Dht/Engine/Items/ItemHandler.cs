// The BEP 44 server side: get and put of immutable items (under SHA-1 of the encoded value) and mutable items
// (under SHA-1 of public key and salt, signed over salt, seq and value). The checks themselves are the
// policy's (Storage/ItemPolicy); this handler maps its outcomes to BEP 44's error codes and messages.
//
// Departure: a get query carrying seq, answered by a node holding that seq or older, omits v and sig (BEP 44
// allows it), saving the bandwidth of a value the requester already has.
using Dht.Crypto;
using Dht.Engine.Dispatch;
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.Messages;
using Dht.Storage;

namespace Dht.Engine.Items;

/// <summary>Answers BEP 44 get and put.</summary>
internal sealed class ItemHandler(ItemPolicy policy) : IQueryHandler
{
    public IReadOnlyList<KrpcMethod> Methods { get; } = [KrpcMethod.Get, KrpcMethod.Put];

    public QueryAnswer Handle(IQueryContext context, KrpcMessage query, KrpcMessage reply) =>
        query.Method == KrpcMethod.Get ? Get(context, GetQuery.Of(query), GetResponse.Of(reply)) : Put(context, PutQuery.Of(query));

    private QueryAnswer Get(IQueryContext context, GetQuery query, GetResponse reply)
    {
        reply.Token = context.WriteToken();
        reply.Nodes = context.ClosestNodes(query.Target);
        if (!policy.TryGet(query.Target, context.Now, out var item))
        {
            return QueryAnswer.Reply;
        }

        bool requesterIsCurrent = item.IsMutable && query.HasSeq && query.Seq >= item.Seq;
        if (!requesterIsCurrent)
        {
            reply.Value = item.Value;
        }

        if (item.IsMutable)
        {
            // Never the salt: the requester knows it (BEP 44).
            reply.Key = item.PublicKey;
            reply.Seq = item.Seq;
            if (!requesterIsCurrent)
            {
                reply.Signature = item.Signature;
            }
        }

        return QueryAnswer.Reply;
    }

    private QueryAnswer Put(IQueryContext context, PutQuery query)
    {
        if (!context.ValidateToken(query.Token.Span))
        {
            return QueryAnswer.Error(KrpcErrorCode.Protocol, "bad token");
        }

        StoreResult result;
        if (query.HasKey)
        {
            long? cas = query.HasCas ? query.Cas : null;
            result = policy.PutMutable(query.Key.Span, query.Salt.Span, query.Seq, query.Value.Span, query.Signature.Span, cas, context.Source, context.Now);
        }
        else
        {
            result = policy.PutImmutable(query.Value.Span, context.Source, context.Now);
        }

        // The put is acknowledged once it is durable.
        return result.Outcome.ToKrpcErrorCode() is { } code
            ? QueryAnswer.Error(code, result.Outcome switch
            {
                StoreOutcome.RejectedTooLarge => $"message (v field) too big (limit {Bep44.MaxValueSize} bytes)",
                StoreOutcome.RejectedSaltTooBig => $"salt (salt field) too big (limit {Bep44.MaxSaltSize} bytes)",
                StoreOutcome.RejectedInvalidSignature => "invalid signature",
                StoreOutcome.RejectedCasMismatch => "the CAS hash mismatched, re-read value and try again",
                StoreOutcome.RejectedSeqTooOld or StoreOutcome.KeptExisting => "sequence number less than current",
                _ => "store refused",
            })
            : QueryAnswer.When(result.Durable);
    }
}
