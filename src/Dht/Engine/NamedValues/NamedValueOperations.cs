// The named-value client side (DESIGN.md section 3): put, get with read repair, delete as a tombstone, and
// the re-store that replication uses. Lookups are find_value lookups over the nodes that serve the extension
// (the others are only traversed, with find_node: Operations/LookupRun), so every write token comes from a node
// that serves it, and only those are asked to store. Answers with a seq beyond the clock window that servers
// enforce (NamedValuePolicy.MaxSeqAt) are ignored: a stranger cannot lock a key by claiming a version far ahead.
// A writer among the k closest to its key keeps a copy of its own (Operations/LocalCopies), and a get counts
// that copy among the answers.
using Dht.Engine.Operations;
using Dht.Lookups;
using Dht.Protocol;
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.NamedValues;
using Dht.Storage;

namespace Dht.Engine.NamedValues;

/// <summary>Puts, gets and deletes named values on the network.</summary>
/// <param name="network">Lookups, writes and the clock.</param>
/// <param name="policy">The values held here: this node's own copies go there too.</param>
/// <param name="published">What this node published, re-published while it runs.</param>
/// <param name="limits">Value size and lifetime limits.</param>
/// <param name="keepsCopies">False for a node that holds nothing for others (BEP 43 read-only).</param>
internal sealed class NamedValueOperations(
    IOperationContext network, NamedValuePolicy policy, PublishedValues published, StorageLimits limits, bool keepsCopies = true)
{
    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> on the k closest nodes.</summary>
    /// <param name="key">The key name.</param>
    /// <param name="value">The value (not empty).</param>
    /// <param name="seq">The version to write; null for the writer's clock, above anything seen for the key.</param>
    /// <param name="cancellationToken">Cancels the put.</param>
    public Task<PutResult> PutAsync(string key, ReadOnlyMemory<byte> value, long? seq, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (value.IsEmpty)
        {
            throw new ArgumentException("A value must not be empty (delete a key instead).", nameof(value));
        }

        // The limit applies to v as sent: the bytes and their bencode length prefix (DESIGN.md section 3).
        int encoded = BencodedString.EncodedLength(value.Length);
        if (encoded > limits.MaxValueSize)
        {
            throw new ArgumentException($"The value is {encoded} bytes encoded; the limit is {limits.MaxValueSize} bytes.", nameof(value));
        }

        return WriteAsync(key, value, seq, cancellationToken);
    }

    /// <summary>Deletes <paramref name="key"/>: a tombstone with a higher seq on the k closest nodes.</summary>
    public Task<PutResult> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        return WriteAsync(key, ReadOnlyMemory<byte>.Empty, null, cancellationToken);
    }

    private async Task<PutResult> WriteAsync(string key, ReadOnlyMemory<byte> value, long? seq, CancellationToken cancellationToken)
    {
        var target = NodeId.FromKey(key);
        long newestSeen = 0;
        bool newestLive = false; // whether the newest version seen is a value rather than a tombstone

        // At equal seq a tombstone wins (NamedValueOrder), so one tombstone makes that version a deletion.
        void See(long seq, bool live)
        {
            newestLive = seq > newestSeen ? live : newestLive && (seq < newestSeen || live);
            newestSeen = Math.Max(newestSeen, seq);
        }

        var lookup = await FindValueAsync(target, (_, r) =>
        {
            if (r.HasSeq && IsWithinClockWindow(r.Seq))
            {
                See(r.Seq, r.HasValue && BencodedString.TryRead(r.Value.Span, out var v) && !v.IsEmpty);
            }
        }, cancellationToken, LookupPurpose.Write).ConfigureAwait(true);

        var now = network.Now;
        if (published.TryGet(target, out var mine))
        {
            See(mine.Seq, mine.Value.Length > 0);
        }

        // A copy this node holds for the network tells whether there was a value (it is never in its own lookup's
        // answers), but not the version: that stays above what the network and our own puts hold.
        bool hadValue = newestLive;
        if (policy.TryGet(target, now, out var held) && held.Seq >= newestSeen)
        {
            hadValue = !held.IsTombstone && (held.Seq > newestSeen || newestLive || newestSeen == 0);
        }

        // The writer's default version: a clock in microseconds, above anything seen for this key. Seen versions are
        // at most the clock plus the allowed skew (far below long.MaxValue), so adding one cannot wrap.
        long version = seq ?? Math.Max(now.ToUnixTimeMilliseconds() * 1000, newestSeen + 1);
        var saved = published.Set(key, value.Span, version);
        var local = keepsCopies && LocalCopies.IsAmongClosest(network, lookup)
            ? LocalCopies.KeptAsync(value.IsEmpty ? policy.PutTombstone(target, version, null, default, now) : policy.Put(target, value.Span, version, null, default, now))
            : Task.FromResult(false);
        var outcome = await network.WriteAsync(lookup, NamedValueMethods.Store, new StoreArguments(target, value.Span, version, null).AddTo, cancellationToken)
            .ConfigureAwait(true);
        bool storedLocally = await local.WaitAsync(cancellationToken).ConfigureAwait(true);
        try
        {
            await saved.WaitAsync(cancellationToken).ConfigureAwait(true); // reported once the key would be re-published after a restart
        }
        catch (StorageUnavailableException)
        {
            // The storage writer logged it; the put stands, only its re-publication after a restart is lost.
        }

        return new PutResult(key, target, version, outcome.Stored, outcome.Asked)
        {
            NodesAnswered = outcome.Answered,
            NodesPending = outcome.Pending,
            NodesReached = lookup.Answered,
            HadValue = hadValue,
            StoredLocally = storedLocally,
        };
    }

    /// <summary>Reads the newest version of <paramref name="key"/> from the k closest nodes, repairing stale ones.</summary>
    public async Task<GetResult> GetAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var target = NodeId.FromKey(key);
        Dictionary<NodeId, Answer> answers = [];
        var lookup = await FindValueAsync(target, (from, r) =>
        {
            if (r.HasSeq && r.HasValue && IsWithinClockWindow(r.Seq) && BencodedString.TryRead(r.Value.Span, out var v))
            {
                answers[from.Id] = new Answer(r.Seq, v.ToArray(), r.HasTtl ? TimeSpan.FromSeconds(r.Ttl) : null);
            }
        }, cancellationToken).ConfigureAwait(true);

        var now = network.Now;
        Answer? mine = policy.TryGet(target, now, out var local) ? new Answer(local.Seq, local.Value.ToArray(), local.ExpiresAt - now) : null;
        Answer? best = mine;
        foreach (var a in answers.Values)
        {
            if (best is not { } b || NamedValueOrder.IsNewer(a.Seq, a.Value, b.Seq, b.Value))
            {
                best = a;
            }
            else if (a.Seq == b.Seq && a.Value.AsSpan().SequenceEqual(b.Value) && a.Ttl > b.Ttl)
            {
                best = b with { Ttl = a.Ttl }; // the longest remaining lifetime among the holders of the winner
            }
        }

        if (best is not { } winner)
        {
            return new GetResult(key, target, false, ReadOnlyMemory<byte>.Empty, 0, 0, 0)
            {
                NodesAsked = lookup.Asked,
                NodesAnswered = lookup.Answered,
            };
        }

        // Read repair: the k closest that answered with an older version, or none, are sent the newest. It goes on
        // after the get has returned, so a slow or silent node among them never delays the answer.
        int holding = 0;
        List<NodeInfo> stale = [];
        foreach (var node in lookup.Lookup.Results)
        {
            if (answers.TryGetValue(node.Id, out var a) && a.Seq == winner.Seq && a.Value.AsSpan().SequenceEqual(winner.Value))
            {
                holding++;
            }
            else if (lookup.Tokens.ContainsKey(node.Id))
            {
                stale.Add(node);
            }
        }

        if (mine is { } held && NamedValueOrder.IsNewer(winner.Seq, winner.Value, held.Seq, held.Value))
        {
            // Our own copy is stale too: it takes the newest, as any replica would from read repair.
            _ = winner.Value.Length == 0
                ? policy.PutTombstone(target, winner.Seq, winner.Ttl, default, now)
                : policy.Put(target, winner.Value, winner.Seq, winner.Ttl, default, now);
        }

        if (stale.Count > 0)
        {
            network.RunInBackground(network.WriteAsync(NamedValueMethods.Store, stale, lookup.Tokens,
                new StoreArguments(target, winner.Value, winner.Seq, winner.Ttl).AddTo, CancellationToken.None));
        }

        bool tombstone = winner.Value.Length == 0;
        return new GetResult(key, target, !tombstone, tombstone ? ReadOnlyMemory<byte>.Empty : winner.Value, winner.Seq, holding, stale.Count)
        {
            NodesAsked = lookup.Asked,
            NodesAnswered = lookup.Answered,
        };
    }

    /// <summary>
    /// Re-stores a value on the current k closest, unless the network already holds a newer version: then
    /// nothing is pushed, our own copy is replaced by the newer one, and a publisher stops re-publishing a value
    /// that was overwritten (otherwise it would bring the old value back once the newer one expires).
    /// </summary>
    /// <param name="target">The key's id.</param>
    /// <param name="value">The value held or published.</param>
    /// <param name="seq">Its version.</param>
    /// <param name="ttl">Its remaining lifetime (holders), or null (the publisher: a full lifetime).</param>
    public async Task ReplicateAsync(NodeId target, ReadOnlyMemory<byte> value, long seq, TimeSpan? ttl)
    {
        (long Seq, byte[] Value)? newest = null;
        var lookup = await FindValueAsync(target, (_, r) =>
        {
            if (r.HasSeq && r.HasValue && IsWithinClockWindow(r.Seq) && BencodedString.TryRead(r.Value.Span, out var v)
                && (newest is not { } n || NamedValueOrder.IsNewer(r.Seq, v, n.Seq, n.Value)))
            {
                newest = (r.Seq, v.ToArray());
            }
        }, CancellationToken.None).ConfigureAwait(true);

        var now = network.Now;
        if (newest is { } found && NamedValueOrder.IsNewer(found.Seq, found.Value, seq, value.Span))
        {
            if (published.TryGet(target, out var mine) && mine.Seq <= found.Seq)
            {
                published.Remove(target);
            }

            if (policy.TryGet(target, now, out var held))
            {
                var remaining = held.ExpiresAt - now;
                _ = found.Value.Length == 0
                    ? policy.PutTombstone(target, found.Seq, remaining, default, now)
                    : policy.Put(target, found.Value, found.Seq, remaining, default, now);
            }

            return;
        }

        await network.WriteAsync(lookup, NamedValueMethods.Store, new StoreArguments(target, value.Span, seq, ttl).AddTo, CancellationToken.None)
            .ConfigureAwait(true);
    }

    /// <summary>
    /// False for a seq beyond this node's clock plus the allowed skew (StorageLimits.MaxSeqClockSkew): honest nodes
    /// refuse to store one, so an answer carrying it is ignored, neither returned, repaired, nor written above.
    /// </summary>
    private bool IsWithinClockWindow(long seq) => seq <= policy.MaxSeqAt(network.Now);

    private Task<LookupRun> FindValueAsync(
        NodeId target, Action<NodeInfo, FindValueResponse> onResponse, CancellationToken cancellationToken, LookupPurpose purpose = LookupPurpose.Read) =>
        network.LookupAsync(NamedValueMethods.FindValue, target, (from, m) => onResponse(from, FindValueResponse.Of(m)), cancellationToken, purpose: purpose);

    private readonly record struct Answer(long Seq, byte[] Value, TimeSpan? Ttl);
}
