// The named-value server side (DESIGN.md section 3): find_value answers with a token, the closest nodes that
// serve the extension (the asker seeks them, and asks them find_value at once), and the value with its seq
// and remaining lifetime when held; store needs a token from an earlier find_value (as announce_peer) and
// follows the versioning rules of Storage/NamedValuePolicy.
//
// Wire form: v is a bencoded byte string holding the value; an empty string is a tombstone (the API refuses
// empty values, so the two never mix).
using Dht.Engine.Dispatch;
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.NamedValues;
using Dht.Storage;

namespace Dht.Engine.NamedValues;

/// <summary>Answers find_value and store.</summary>
internal sealed class NamedValueHandler(NamedValuePolicy policy, StorageLimits limits) : IQueryHandler
{
    private readonly System.Buffers.ArrayBufferWriter<byte> _valueBuffer = new(1024);

    public IReadOnlyList<KrpcMethod> Methods { get; } = [NamedValueMethods.FindValue, NamedValueMethods.Store];

    public QueryAnswer Handle(IQueryContext context, KrpcMessage query, KrpcMessage reply) =>
        query.Method == NamedValueMethods.FindValue
            ? FindValue(context, FindValueQuery.Of(query), FindValueResponse.Of(reply))
            : Store(context, StoreQuery.Of(query));

    private QueryAnswer FindValue(IQueryContext context, FindValueQuery query, FindValueResponse reply)
    {
        reply.Token = context.WriteToken();
        reply.Nodes = context.ClosestNodes(query.Target, servingExtensionOnly: true);
        if (policy.TryGet(query.Target, context.Now, out var held))
        {
            // The answer carries the value's remaining lifetime, so that read repair copies it without extending it.
            _valueBuffer.ResetWrittenCount();
            new Protocol.Bencode.BencodeWriter(_valueBuffer).WriteString(held.Value.Span);
            reply.Value = _valueBuffer.WrittenMemory;
            reply.Seq = held.Seq;
            reply.Ttl = Math.Max(1, (long)(held.ExpiresAt - context.Now).TotalSeconds);
        }

        return QueryAnswer.Reply;
    }

    private QueryAnswer Store(IQueryContext context, StoreQuery query)
    {
        if (!context.ValidateToken(query.Token.Span))
        {
            return QueryAnswer.Error(KrpcErrorCode.Protocol, "bad token");
        }

        if (query.Value.Length > limits.MaxValueSize)
        {
            return QueryAnswer.Error(KrpcErrorCode.ValueTooBig, $"value too big (limit {limits.MaxValueSize} bytes encoded)");
        }

        if (!BencodedString.TryRead(query.Value.Span, out var value))
        {
            return QueryAnswer.Error(KrpcErrorCode.Protocol, "v must be a byte string");
        }

        TimeSpan? ttl = query.HasTtl ? TimeSpan.FromSeconds(Math.Min(query.Ttl, (long)limits.MaxTtl.TotalSeconds)) : null;
        var result = value.IsEmpty
            ? policy.PutTombstone(query.Target, query.Seq, ttl, context.Source, context.Now)
            : policy.Put(query.Target, value, query.Seq, ttl, context.Source, context.Now);
        if (result.Outcome.ToKrpcErrorCode() is { } code)
        {
            return QueryAnswer.Error(code, result.Outcome switch
            {
                StoreOutcome.RejectedTooLarge => $"value too big (limit {limits.MaxValueSize} bytes)",
                StoreOutcome.RejectedSeqTooOld or StoreOutcome.KeptExisting => "seq older than stored",
                StoreOutcome.RejectedSeqTooNew => $"seq ahead of this node's clock by more than {limits.MaxSeqClockSkew.TotalSeconds:0} s",
                _ => "store refused",
            });
        }

        // The store is acknowledged once it is durable.
        return QueryAnswer.When(result.Durable);
    }
}
