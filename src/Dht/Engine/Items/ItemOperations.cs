// The BEP 44 client side: put and get of immutable and mutable items. Every answer is checked before it is
// believed (hash or signature), so a node that lies is simply ignored. What this node puts it re-puts every
// hour while it runs (BEP 44: items expire after two), through ItemRepublisher. A publisher among the k
// closest to the target keeps a copy of its own (Operations/LocalCopies); a get looks at the copies held here
// first: an immutable item held here is the answer, a mutable one competes with the answers by seq.
using Dht.Crypto;
using Dht.Engine.Operations;
using Dht.Lookups;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.Messages;

namespace Dht.Engine.Items;

/// <summary>Puts and gets BEP 44 items on the network.</summary>
/// <param name="network">Lookups, writes and the clock.</param>
/// <param name="policy">The items held here: this node's own copies go there too.</param>
/// <param name="keepsCopies">False for a node that holds nothing for others (BEP 43 read-only).</param>
internal sealed class ItemOperations(IOperationContext network, Storage.ItemPolicy policy, bool keepsCopies = true)
{
    private readonly Dictionary<NodeId, PublishedItem> _published = [];

    /// <summary>Items this node put, re-put hourly.</summary>
    public int PublishedCount => _published.Count;

    /// <summary>Stores <paramref name="value"/> (as a bencoded byte string) as an immutable item.</summary>
    public Task<ItemPutResult> PutImmutableAsync(ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        var encoded = Encode(value.Span);
        var item = new PublishedItem(Bep44.ImmutableTarget(encoded), encoded, ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, 0, ReadOnlyMemory<byte>.Empty, null);
        return PublishAsync(item, cancellationToken);
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

        var encoded = Encode(value.Span);
        var current = await GetMutableAsync(keyPair.PublicKey, salt, cancellationToken).ConfigureAwait(true);
        long seq = current.Found ? current.Seq + 1 : 1;
        var signature = Bep44.Sign(keyPair, salt.Span, seq, encoded);
        var target = Bep44.MutableTarget(keyPair.PublicKey.Span, salt.Span);
        var item = new PublishedItem(target, encoded, keyPair.PublicKey, salt.ToArray(), seq, signature, cas);
        return await PublishAsync(item, cancellationToken).ConfigureAwait(true);
    }

    /// <summary>Finds an immutable item; the first answer whose hash matches ends the lookup.</summary>
    public async Task<ItemGetResult> GetImmutableAsync(NodeId target, CancellationToken cancellationToken)
    {
        if (policy.TryGet(target, network.Now, out var held) && !held.IsMutable)
        {
            return Found(null, target, held.Value.ToArray(), 0, 0);
        }

        byte[]? found = null;
        int holders = 0;
        LookupRun? self = null;
        var lookup = await network.LookupAsync(KrpcMethod.Get, target, (_, m) =>
        {
            var r = GetResponse.Of(m);
            if (found is null && r.HasValue && Bep44.ImmutableTarget(r.Value.Span) == target)
            {
                found = r.Value.ToArray();
                holders++;
                self?.Complete(network.Now);
            }
        }, cancellationToken, run => self = run).ConfigureAwait(true);

        return Found(lookup, target, found, 0, holders);
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
        if (policy.TryGet(target, network.Now, out var held) && held.IsMutable && held.PublicKey.Span.SequenceEqual(key))
        {
            bestSeq = held.Seq;
            best = held.Value.ToArray();
        }

        var lookup = await network.LookupAsync(KrpcMethod.Get, target, (_, m) =>
        {
            var r = GetResponse.Of(m);
            if (!(r.HasValue && r.HasSignature && r.HasSeq && r.HasKey) || !r.Key.Span.SequenceEqual(key) || r.Seq < bestSeq)
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
        }, cancellationToken).ConfigureAwait(true);

        return Found(lookup, target, best, bestSeq, holders);
    }

    private static ItemGetResult Found(LookupRun? lookup, NodeId target, byte[]? encoded, long seq, int holders) =>
        (encoded is null
            ? new ItemGetResult(target, false, ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty, 0, 0)
            : new ItemGetResult(target, true, BencodedString.DecodeOrSelf(encoded), encoded, seq, holders))
        with
        {
            NodesAsked = lookup?.Asked ?? 0,
            NodesAnswered = lookup?.Answered ?? 0,
        };

    /// <summary>Re-puts everything this node put (BEP 44: the publisher keeps its items alive). Call on the loop.</summary>
    public void RepublishAll()
    {
        foreach (var item in _published.Values.ToArray())
        {
            network.RunInBackground(PublishAsync(item, CancellationToken.None));
        }
    }

    private async Task<ItemPutResult> PublishAsync(PublishedItem item, CancellationToken cancellationToken)
    {
        var lookup = await network.LookupAsync(KrpcMethod.Get, item.Target, null, cancellationToken, purpose: LookupPurpose.Write).ConfigureAwait(true);
        _published[item.Target] = item with { Cas = null };
        var local = keepsCopies && LocalCopies.IsAmongClosest(network, lookup) ? LocalCopies.KeptAsync(KeepCopy(item)) : Task.FromResult(false);
        var outcome = await network.WriteAsync(lookup, KrpcMethod.Put, item.AddTo, cancellationToken).ConfigureAwait(true);
        bool storedLocally = await local.WaitAsync(cancellationToken).ConfigureAwait(true);
        return new ItemPutResult(item.Target, item.Seq, outcome.Stored, outcome.Asked, outcome.ErrorCodes)
        {
            NodesAnswered = outcome.Answered,
            NodesPending = outcome.Pending,
            NodesReached = lookup.Answered,
            StoredLocally = storedLocally,
        };
    }

    private Storage.StoreResult KeepCopy(PublishedItem item)
    {
        var now = network.Now;
        return item.PublicKey.IsEmpty
            ? policy.PutImmutable(item.EncodedValue.Span, default, now)
            : policy.PutMutable(item.PublicKey.Span, item.Salt.Span, item.Seq, item.EncodedValue.Span, item.Signature.Span, item.Cas, default, now);
    }

    private static byte[] Encode(ReadOnlySpan<byte> value)
    {
        var encoded = BencodedString.Encode(value);
        if (encoded.Length > Bep44.MaxValueSize)
        {
            throw new ArgumentException($"The value is {encoded.Length} bytes encoded; the limit is {Bep44.MaxValueSize} bytes.", nameof(value));
        }

        return encoded;
    }

    private sealed record PublishedItem(
        NodeId Target, ReadOnlyMemory<byte> EncodedValue, ReadOnlyMemory<byte> PublicKey, ReadOnlyMemory<byte> Salt,
        long Seq, ReadOnlyMemory<byte> Signature, long? Cas)
    {
        /// <summary>The put's arguments (the token is the write path's).</summary>
        public void AddTo(KrpcMessage q) => ItemPutArguments.AddTo(q, EncodedValue, PublicKey, Salt, Seq, Signature, Cas);
    }
}
