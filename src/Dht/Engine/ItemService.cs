// BEP 44 items: the get/put server side and the client operations. Immutable items live under SHA-1 of
// their encoded value; mutable items under SHA-1(public key ‖ salt), signed with ed25519 over
// salt, seq and value. Every answer is checked before it is believed (hash or signature), so a node that
// lies is simply ignored. Items expire ItemLifetime (2 h) after their last put; the publisher re-puts what
// it published every hour while it runs (BEP 44), holders do not replicate.
//
// Departure: a get query carrying seq, answered by a node holding that seq or older, omits v and sig (BEP 44
// allows it), saving the bandwidth of a value the requester already has.
using System.Buffers;
using Dht.Crypto;
using Dht.Protocol;
using Dht.Protocol.Bencode;
using Dht.Protocol.Krpc;
using Dht.Storage;

namespace Dht.Engine;

/// <summary>BEP 44 storage of one node.</summary>
internal sealed class ItemService : IQueryExtension
{
    /// <summary>BEP 44: the publisher re-puts every hour (items expire after two).</summary>
    public static readonly TimeSpan RepublishInterval = TimeSpan.FromHours(1);

    private readonly DhtEngine _engine;
    private readonly ItemPolicy _policy;
    private readonly Dictionary<NodeId, PublishedItem> _published = [];
    private readonly ArrayBufferWriter<byte> _encoder = new(1024);
    private DateTimeOffset _nextRepublish;

    public ItemService(DhtEngine engine, IItemStore store, StorageLimits limits)
    {
        _engine = engine;
        _policy = new ItemPolicy(store, engine.Id, limits);
        _nextRepublish = engine.Time.GetUtcNow() + RepublishInterval;
    }

    public int Count => _policy.Count;

    public long TotalBytes => _policy.TotalBytes;

    public IReadOnlyList<StoredItem> Held(DateTimeOffset now) => _policy.Live(now).ToArray();

    public bool Serves(KrpcMethod method) => method is KrpcMethod.Get or KrpcMethod.Put;

    public QueryReply Handle(NetEndPoint source, KrpcMessage query, KrpcMessage reply, DateTimeOffset now)
    {
        if (query.Method == KrpcMethod.Get)
        {
            _engine.AddToken(reply, source, now);
            _engine.AddClosestNodes(reply, query.Target, query.Id);
            if (_policy.TryGet(query.Target, now, out var item))
            {
                bool requesterIsCurrent = item.IsMutable && query.Has(KrpcFields.Seq) && query.Seq >= item.Seq;
                if (!requesterIsCurrent)
                {
                    reply.Value = item.Value;
                    reply.Fields |= KrpcFields.Value;
                }

                if (item.IsMutable)
                {
                    // Never the salt: the requester knows it (BEP 44).
                    reply.Key = item.PublicKey;
                    reply.Seq = item.Seq;
                    reply.Fields |= KrpcFields.Key | KrpcFields.Seq;
                    if (!requesterIsCurrent)
                    {
                        reply.Signature = item.Signature;
                        reply.Fields |= KrpcFields.Signature;
                    }
                }
            }

            return QueryReply.Ok;
        }

        if (!_engine.ValidateToken(source, query.Token.Span, now))
        {
            return QueryReply.Error(KrpcErrorCode.Protocol, "bad token");
        }

        StoreResult result;
        if (query.Has(KrpcFields.Key))
        {
            long? cas = query.Has(KrpcFields.Cas) ? query.Cas : null;
            result = _policy.PutMutable(query.Key.Span, query.Salt.Span, query.Seq, query.Value.Span, query.Signature.Span, cas, source, now);
        }
        else
        {
            result = _policy.PutImmutable(query.Value.Span, source, now);
        }

        return result.Outcome.ToKrpcErrorCode() is { } code
            ? QueryReply.Error(code, result.Outcome switch
            {
                StoreOutcome.RejectedTooLarge => $"message (v field) too big (limit {Bep44.MaxValueSize} bytes)",
                StoreOutcome.RejectedSaltTooBig => $"salt (salt field) too big (limit {Bep44.MaxSaltSize} bytes)",
                StoreOutcome.RejectedInvalidSignature => "invalid signature",
                StoreOutcome.RejectedCasMismatch => "the CAS hash mismatched, re-read value and try again",
                StoreOutcome.RejectedSeqTooOld or StoreOutcome.KeptExisting => "sequence number less than current",
                _ => "store refused",
            })
            : QueryReply.OkWhenDurable(result.Durable);
    }

    // ---- Client side -------------------------------------------------------------------------------

    /// <summary>Stores <paramref name="value"/> (as a bencoded byte string) as an immutable item.</summary>
    public async Task<ItemPutResult> PutImmutableAsync(ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        var encoded = EncodeString(value.Span);
        CheckSize(encoded);
        var target = Bep44.ImmutableTarget(encoded);
        var item = new PublishedItem(target, encoded, ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, 0, ReadOnlyMemory<byte>.Empty, null);
        return await PublishAsync(item, cancellationToken);
    }

    /// <summary>
    /// Stores <paramref name="value"/> as the next version of the mutable item of <paramref name="keyPair"/> and
    /// <paramref name="salt"/>: seq is one above the newest version found (1 for a new item).
    /// </summary>
    public async Task<ItemPutResult> PutMutableAsync(
        Ed25519KeyPair keyPair, ReadOnlyMemory<byte> salt, ReadOnlyMemory<byte> value, long? cas, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyPair);
        if (salt.Length > Bep44.MaxSaltSize)
        {
            throw new ArgumentException($"The salt is {salt.Length} bytes; the limit is {Bep44.MaxSaltSize} bytes.", nameof(salt));
        }

        var encoded = EncodeString(value.Span);
        CheckSize(encoded);
        var current = await GetMutableAsync(keyPair.PublicKey, salt, cancellationToken);
        long seq = current.Found ? current.Seq + 1 : 1;
        var signature = Bep44.Sign(keyPair, salt.Span, seq, encoded);
        var target = Bep44.MutableTarget(keyPair.PublicKey.Span, salt.Span);
        var item = new PublishedItem(target, encoded, keyPair.PublicKey, salt.ToArray(), seq, signature, cas);
        return await PublishAsync(item, cancellationToken);
    }

    private async Task<ItemPutResult> PublishAsync(PublishedItem item, CancellationToken cancellationToken)
    {
        var lookup = await _engine.RunLookupAsync(KrpcMethod.Get, item.Target, null, cancellationToken);
        QueryBatch batch;
        lock (_engine.Gate)
        {
            _published[item.Target] = item with { Cas = null };
            batch = SendPuts(item, lookup.Lookup.Results, lookup.Tokens, _engine.Time.GetUtcNow());
        }

        await batch.Task.WaitAsync(cancellationToken);
        return new ItemPutResult(item.Target, item.Seq, batch.Succeeded.Count,
            batch.Succeeded.Count + batch.Rejected.Count + batch.Failed, batch.Rejected.Select(r => r.ErrorCode).ToArray());
    }

    /// <summary>Finds an immutable item; the first answer whose hash matches ends the lookup.</summary>
    public async Task<ItemGetResult> GetImmutableAsync(NodeId target, CancellationToken cancellationToken)
    {
        byte[]? found = null;
        int holders = 0;
        LookupOperation? self = null;
        var lookup = await _engine.RunLookupAsync(KrpcMethod.Get, target, (_, r) =>
        {
            if (found is null && r.Has(KrpcFields.Value) && Bep44.ImmutableTarget(r.Value.Span) == target)
            {
                found = r.Value.ToArray();
                holders++;
                self?.Complete(_engine.Time.GetUtcNow());
            }
        }, cancellationToken, op => self = op);

        return found is null
            ? new ItemGetResult(target, false, ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, 0, 0)
            : new ItemGetResult(target, true, DecodeString(found), found, 0, holders);
    }

    /// <summary>Finds the newest validly signed version of a mutable item.</summary>
    public async Task<ItemGetResult> GetMutableAsync(ReadOnlyMemory<byte> publicKey, ReadOnlyMemory<byte> salt, CancellationToken cancellationToken)
    {
        if (publicKey.Length != Bep44.PublicKeySize)
        {
            throw new ArgumentException($"A public key is {Bep44.PublicKeySize} bytes.", nameof(publicKey));
        }

        var target = Bep44.MutableTarget(publicKey.Span, salt.Span);
        long bestSeq = -1;
        byte[]? best = null;
        int holders = 0;
        var key = publicKey.ToArray();
        var saltBytes = salt.ToArray();
        await _engine.RunLookupAsync(KrpcMethod.Get, target, (_, r) =>
        {
            if (!r.Has(KrpcFields.Value | KrpcFields.Signature | KrpcFields.Seq | KrpcFields.Key)
                || !r.Key.Span.SequenceEqual(key) || r.Seq < bestSeq)
            {
                return;
            }

            if (r.Seq == bestSeq && best is not null && r.Value.Span.SequenceEqual(best))
            {
                holders++;
                return;
            }

            if (Bep44.Verify(key, saltBytes, r.Seq, r.Value.Span, r.Signature.Span))
            {
                bestSeq = r.Seq;
                best = r.Value.ToArray();
                holders = 1;
            }
        }, cancellationToken);

        return best is null
            ? new ItemGetResult(target, false, ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, 0, 0)
            : new ItemGetResult(target, true, DecodeString(best), best, bestSeq, holders);
    }

    /// <summary>Sends put queries to the nodes that gave us a token. Call inside the gate.</summary>
    private QueryBatch SendPuts(PublishedItem item, IEnumerable<NodeInfo> nodes, Dictionary<NodeId, byte[]> tokens, DateTimeOffset now)
    {
        var batch = new QueryBatch();
        foreach (var node in nodes)
        {
            if (!tokens.TryGetValue(node.Id, out var token))
            {
                continue;
            }

            var q = _engine.PrepareQuery(KrpcMethod.Put);
            q.Token = token;
            q.Value = item.EncodedValue;
            q.Fields |= KrpcFields.Token | KrpcFields.Value;
            if (!item.PublicKey.IsEmpty)
            {
                q.Key = item.PublicKey;
                q.Signature = item.Signature;
                q.Seq = item.Seq;
                q.Fields |= KrpcFields.Key | KrpcFields.Signature | KrpcFields.Seq;
                if (!item.Salt.IsEmpty)
                {
                    q.Salt = item.Salt;
                    q.Fields |= KrpcFields.Salt;
                }

                if (item.Cas is { } cas)
                {
                    q.Cas = cas;
                    q.Fields |= KrpcFields.Cas;
                }
            }

            batch.Add();
            _engine.SendQuery(q, node, batch, now);
        }

        batch.Seal();
        return batch;
    }

    // ---- Upkeep ----------------------------------------------------------------------------------------

    public void Maintain(DateTimeOffset now)
    {
        _policy.RemoveExpired(now);
        if (now < _nextRepublish)
        {
            return;
        }

        _nextRepublish = now + RepublishInterval;
        foreach (var item in _published.Values.ToArray())
        {
            _engine.Observe(PublishAsync(item, CancellationToken.None));
        }
    }

    public void OnContactAdded(NodeInfo node, DateTimeOffset now)
    {
        // BEP 44 items are kept alive by their publisher's hourly re-put, which reaches new nodes; nothing to hand over.
    }

    private byte[] EncodeString(ReadOnlySpan<byte> value)
    {
        _encoder.ResetWrittenCount();
        new BencodeWriter(_encoder).WriteString(value);
        return _encoder.WrittenSpan.ToArray();
    }

    private static void CheckSize(byte[] encoded)
    {
        if (encoded.Length > Bep44.MaxValueSize)
        {
            throw new ArgumentException($"The value is {encoded.Length} bytes encoded; the limit is {Bep44.MaxValueSize} bytes.", "value");
        }
    }

    /// <summary>The bytes of a bencoded byte string, or the encoded value itself when it is another type.</summary>
    private static ReadOnlyMemory<byte> DecodeString(byte[] encoded)
    {
        var reader = new BencodeReader(encoded);
        if (reader.Read() && reader.TokenType == BencodeTokenType.String && reader.Position == encoded.Length)
        {
            return encoded.AsMemory(reader.Position - reader.ValueSpan.Length, reader.ValueSpan.Length);
        }

        return encoded;
    }

    private sealed record PublishedItem(
        NodeId Target, ReadOnlyMemory<byte> EncodedValue, ReadOnlyMemory<byte> PublicKey, ReadOnlyMemory<byte> Salt,
        long Seq, ReadOnlyMemory<byte> Signature, long? Cas);
}
