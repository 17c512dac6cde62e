// Named values (DESIGN.md section 3): the find_value / store extension, both the server side (answering
// other nodes) and the client side (put, get with read repair, delete as a tombstone), plus upkeep:
// expiry, hourly replication by holders, re-publication by the publisher, and handing values to a new
// node that is closer to them than we are (Kademlia section 2.5).
//
// Wire form: v is a bencoded byte string holding the value; an empty string is a tombstone (the API
// refuses empty values, so the two never mix). A find_value answer carries v and seq only when the node
// holds the key.
using System.Buffers;
using Dht.Protocol;
using Dht.Protocol.Bencode;
using Dht.Protocol.Krpc;
using Dht.Storage;

namespace Dht.Engine;

/// <summary>The named-value store of one node.</summary>
internal sealed class NamedValueService : IQueryExtension
{
    /// <summary>The paper's tReplicate: holders re-store every hour.</summary>
    public static readonly TimeSpan ReplicateInterval = TimeSpan.FromHours(1);

    private readonly DhtEngine _engine;
    private readonly INodeStateStore? _state;
    private readonly NamedValuePolicy _policy;
    private readonly StorageLimits _limits;
    private readonly Dictionary<NodeId, Published> _published = [];
    private readonly ArrayBufferWriter<byte> _valueBuffer = new(1024);
    private readonly List<NodeInfo> _closest = [];
    private DateTimeOffset _nextReplication;

    public NamedValueService(DhtEngine engine, INamedValueStore store, StorageLimits limits, INodeStateStore? state = null)
    {
        _engine = engine;
        _state = state;
        foreach (var (key, value, seq) in state?.LoadPublished() ?? [])
        {
            _published[NodeId.FromKey(key)] = new Published(key, value, seq);
        }

        _limits = limits;
        _policy = new NamedValuePolicy(store, engine.Id, limits);
        _nextReplication = engine.Time.GetUtcNow() + ReplicateInterval;
    }

    public int Count => _policy.Count;

    public long TotalBytes => _policy.TotalBytes;

    /// <summary>Values held here (unexpired), for the shell's <c>keys</c>.</summary>
    public IReadOnlyList<NamedValue> Held(DateTimeOffset now) => _policy.Live(now).ToArray();

    public bool Serves(KrpcMethod method) => method is KrpcMethod.FindValue or KrpcMethod.Store;

    public QueryReply Handle(NetEndPoint source, KrpcMessage query, KrpcMessage reply, DateTimeOffset now)
    {
        if (query.Method == KrpcMethod.FindValue)
        {
            _engine.AddToken(reply, source, now);
            _engine.AddClosestNodes(reply, query.Target, query.Id);
            if (_policy.TryGet(query.Target, now, out var held))
            {
                AddValue(reply, held.Value.Span, held.Seq, held.ExpiresAt - now);
            }

            return QueryReply.Ok;
        }

        // store
        if (!_engine.ValidateToken(source, query.Token.Span, now))
        {
            return QueryReply.Error(KrpcErrorCode.Protocol, "bad token");
        }

        if (query.Value.Length > _limits.MaxValueSize)
        {
            return QueryReply.Error(KrpcErrorCode.ValueTooBig, $"value too big (limit {_limits.MaxValueSize} bytes encoded)");
        }

        if (!TryReadString(query.Value.Span, out var value))
        {
            return QueryReply.Error(KrpcErrorCode.Protocol, "v must be a byte string");
        }

        TimeSpan? ttl = query.Has(KrpcFields.Ttl) ? TimeSpan.FromSeconds(Math.Min(query.Ttl, (long)_limits.MaxTtl.TotalSeconds)) : null;
        var result = value.IsEmpty
            ? _policy.PutTombstone(query.Target, query.Seq, ttl, source, now)
            : _policy.Put(query.Target, value, query.Seq, ttl, source, now);
        if (result.Outcome.ToKrpcErrorCode() is { } code)
        {
            return QueryReply.Error(code, result.Outcome switch
            {
                StoreOutcome.RejectedTooLarge => $"value too big (limit {_limits.MaxValueSize} bytes)",
                StoreOutcome.RejectedSeqTooOld or StoreOutcome.KeptExisting => "seq older than stored",
                StoreOutcome.RejectedSeqTooNew => $"seq ahead of this node's clock by more than {_limits.MaxSeqClockSkew.TotalSeconds:0} s",
                _ => "store refused",
            });
        }

        return QueryReply.OkWhenDurable(result.Durable);
    }

    // The answer carries the value's remaining lifetime, so that read repair copies it without extending it.
    private void AddValue(KrpcMessage reply, ReadOnlySpan<byte> value, long seq, TimeSpan remaining)
    {
        _valueBuffer.ResetWrittenCount();
        new BencodeWriter(_valueBuffer).WriteString(value);
        reply.Value = _valueBuffer.WrittenMemory;
        reply.Seq = seq;
        reply.Ttl = Math.Max(1, (long)remaining.TotalSeconds);
        reply.Fields |= KrpcFields.Value | KrpcFields.Seq | KrpcFields.Ttl;
    }

    private static bool TryReadString(ReadOnlySpan<byte> encoded, out ReadOnlySpan<byte> value)
    {
        var reader = new BencodeReader(encoded);
        bool ok = reader.Read() && reader.TokenType == BencodeTokenType.String && reader.Position == encoded.Length;
        value = ok ? reader.ValueSpan : default;
        return ok;
    }

    // ---- Client side -------------------------------------------------------------------------------

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> on the k closest nodes.</summary>
    public async Task<PutResult> PutAsync(string key, ReadOnlyMemory<byte> value, long? seq, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (value.IsEmpty)
        {
            throw new ArgumentException("A value must not be empty (delete a key instead).", nameof(value));
        }

        // The limit applies to v as sent: the bytes and their bencode length prefix (DESIGN.md section 3).
        int encoded = value.Length + value.Length.ToString(System.Globalization.CultureInfo.InvariantCulture).Length + 1;
        if (encoded > _limits.MaxValueSize)
        {
            throw new ArgumentException($"The value is {encoded} bytes encoded; the limit is {_limits.MaxValueSize} bytes.", nameof(value));
        }

        return await WriteAsync(key, value, seq, cancellationToken);
    }

    /// <summary>Deletes <paramref name="key"/>: a tombstone with a higher seq on the k closest nodes.</summary>
    public Task<PutResult> DeleteAsync(string key, CancellationToken cancellationToken) =>
        WriteAsync(key, ReadOnlyMemory<byte>.Empty, null, cancellationToken);

    private async Task<PutResult> WriteAsync(string key, ReadOnlyMemory<byte> value, long? seq, CancellationToken cancellationToken)
    {
        var target = NodeId.FromKey(key);
        long newestSeen = 0;
        var lookup = await FindValueAsync(target, (_, r) =>
        {
            if (r.Has(KrpcFields.Seq))
            {
                newestSeen = Math.Max(newestSeen, r.Seq);
            }
        }, cancellationToken);

        QueryBatch batch;
        long version;
        Task saved;
        lock (_engine.Gate)
        {
            var now = _engine.Time.GetUtcNow();
            if (_published.TryGetValue(target, out var mine))
            {
                newestSeen = Math.Max(newestSeen, mine.Seq);
            }

            // The writer's default version: a clock in microseconds, above anything seen for this key.
            version = seq ?? Math.Max(now.ToUnixTimeMilliseconds() * 1000, newestSeen + 1);
            _published[target] = new Published(key, value.ToArray(), version);
            saved = _state?.SavePublished(key, value.Span, version) ?? Task.CompletedTask;
            batch = SendStores(target, value.Span, version, lookup.Lookup.Results, lookup.Tokens, now);
        }

        await batch.Task.WaitAsync(cancellationToken);
        try
        {
            await saved.WaitAsync(cancellationToken); // reported once the key would be re-published after a restart
        }
        catch (StorageUnavailableException)
        {
            // The storage writer logged it; the put stands, only its re-publication after a restart is lost.
        }

        return new PutResult(key, target, version, batch.Succeeded.Count, batch.Succeeded.Count + batch.Rejected.Count + batch.Failed);
    }

    /// <summary>Reads the newest version of <paramref name="key"/> from the k closest nodes, repairing stale ones.</summary>
    public async Task<GetResult> GetAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var target = NodeId.FromKey(key);
        Dictionary<NodeId, (long Seq, byte[] Value, TimeSpan? Ttl)> answers = [];
        var lookup = await FindValueAsync(target, (from, r) =>
        {
            if (r.Has(KrpcFields.Seq | KrpcFields.Value) && TryReadString(r.Value.Span, out var v))
            {
                answers[from.Id] = (r.Seq, v.ToArray(), r.Has(KrpcFields.Ttl) ? TimeSpan.FromSeconds(r.Ttl) : null);
            }
        }, cancellationToken);

        (long Seq, byte[] Value, TimeSpan? Ttl)? best = null;
        foreach (var a in answers.Values)
        {
            if (best is not { } b || a.Seq > b.Seq || (a.Seq == b.Seq && IsPreferred(a.Value, b.Value)))
            {
                best = a;
            }
            else if (a.Seq == b.Seq && a.Value.AsSpan().SequenceEqual(b.Value) && a.Ttl > b.Ttl)
            {
                best = b with { Ttl = a.Ttl }; // the longest remaining lifetime among the holders of the winner
            }
        }

        lock (_engine.Gate)
        {
            var now = _engine.Time.GetUtcNow();
            if (best is null && _policy.TryGet(target, now, out var local))
            {
                best = (local.Seq, local.Value.ToArray(), local.ExpiresAt - now);
            }
        }

        if (best is not { } winner)
        {
            return new GetResult(key, target, false, ReadOnlyMemory<byte>.Empty, 0, 0, 0);
        }

        int repaired = 0, holding = 0;
        QueryBatch batch;
        lock (_engine.Gate)
        {
            var now = _engine.Time.GetUtcNow();
            List<NodeInfo> stale = [];
            foreach (var node in lookup.Lookup.Results)
            {
                if (answers.TryGetValue(node.Id, out var a) && a.Seq == winner.Seq && a.Value.AsSpan().SequenceEqual(winner.Value))
                {
                    holding++;
                }
                else
                {
                    stale.Add(node);
                }
            }

            repaired = stale.Count;
            batch = SendStores(target, winner.Value, winner.Seq, stale, lookup.Tokens, now, winner.Ttl);
        }

        await batch.Task.WaitAsync(cancellationToken);
        bool tombstone = winner.Value.Length == 0;
        return new GetResult(key, target, !tombstone, tombstone ? ReadOnlyMemory<byte>.Empty : winner.Value, winner.Seq, holding, repaired);
    }

    // The same order replicas converge on: a tombstone beats a value, else the byte-wise larger.
    private static bool IsPreferred(byte[] candidate, byte[] held) =>
        (candidate.Length == 0) != (held.Length == 0) ? candidate.Length == 0 : candidate.AsSpan().SequenceCompareTo(held) > 0;

    /// <summary>
    /// A find_value lookup whose write tokens are kept only for nodes that advertise our client version: they are
    /// the ones asked to store named values (others may answer with a token yet not serve the extension).
    /// </summary>
    private async Task<LookupOperation> FindValueAsync(NodeId target, Action<NodeInfo, KrpcMessage>? onResponse, CancellationToken cancellationToken)
    {
        HashSet<NodeId> ours = [];
        var lookup = await _engine.RunLookupAsync(KrpcMethod.FindValue, target, (from, r) =>
        {
            if (r.ClientVersion.Length >= 2 && r.ClientVersion.Span[..2].SequenceEqual(DhtEngine.ClientVersion.Span[..2]))
            {
                ours.Add(from.Id);
            }

            onResponse?.Invoke(from, r);
        }, cancellationToken);
        foreach (var id in lookup.Tokens.Keys.ToArray())
        {
            if (!ours.Contains(id))
            {
                lookup.Tokens.Remove(id);
            }
        }

        return lookup;
    }

    /// <summary>Sends store queries to the nodes that gave us a token. Call inside the gate.</summary>
    private QueryBatch SendStores(
        NodeId target, ReadOnlySpan<byte> value, long seq, IEnumerable<NodeInfo> nodes, Dictionary<NodeId, byte[]> tokens, DateTimeOffset now, TimeSpan? ttl = null)
    {
        var batch = new QueryBatch();
        _valueBuffer.ResetWrittenCount();
        new BencodeWriter(_valueBuffer).WriteString(value);
        var encoded = _valueBuffer.WrittenSpan.ToArray();
        foreach (var node in nodes)
        {
            if (!tokens.TryGetValue(node.Id, out var token))
            {
                continue;
            }

            var q = _engine.PrepareQuery(KrpcMethod.Store);
            q.Target = target;
            q.Token = token;
            q.Value = encoded;
            q.Seq = seq;
            q.Fields |= KrpcFields.Target | KrpcFields.Token | KrpcFields.Value | KrpcFields.Seq;
            if (ttl is { } lifetime)
            {
                q.Ttl = Math.Max(1, (long)lifetime.TotalSeconds);
                q.Fields |= KrpcFields.Ttl;
            }

            batch.Add();
            _engine.SendQuery(q, node, batch, now);
        }

        batch.Seal();
        return batch;
    }

    // ---- Upkeep ----------------------------------------------------------------------------------------

    /// <summary>Re-publishes what this node published at the next upkeep (after joining, e.g. following a restart).</summary>
    public void RepublishSoon()
    {
        if (_published.Count > 0)
        {
            _nextReplication = _engine.Time.GetUtcNow();
        }
    }

    public void Maintain(DateTimeOffset now)
    {
        _policy.RemoveExpired(now);
        if (now < _nextReplication)
        {
            return;
        }

        _nextReplication = now + ReplicateInterval;

        // Holders re-store to the current k closest, except keys someone stored here within the hour (the
        // paper's optimisation: that node replicated them already).
        foreach (var value in _policy.Live(now).ToArray())
        {
            if ((_policy.LastStoreReceived(value.Target) is not { } received || now - received > ReplicateInterval) && !_published.ContainsKey(value.Target))
            {
                // The copies keep the value's remaining lifetime: only its publisher extends it.
                _engine.Observe(ReplicateAsync(value.Target, value.Value, value.Seq, value.ExpiresAt - now));
            }
        }

        // The publisher re-publishes what it wrote while it runs.
        foreach (var p in _published.Values.ToArray())
        {
            _engine.Observe(ReplicateAsync(NodeId.FromKey(p.Key), p.Value, p.Seq, null));
        }
    }

    /// <summary>
    /// Re-stores a value on the current k closest, unless the network already holds a newer version: then
    /// nothing is pushed, our own copy is replaced by the newer one, and a publisher stops re-publishing a value
    /// that was overwritten (otherwise it would bring the old value back once the newer one expires).
    /// </summary>
    private async Task ReplicateAsync(NodeId target, ReadOnlyMemory<byte> value, long seq, TimeSpan? ttl)
    {
        (long Seq, byte[] Value)? newest = null;
        var lookup = await FindValueAsync(target, (_, r) =>
        {
            if (r.Has(KrpcFields.Seq | KrpcFields.Value) && TryReadString(r.Value.Span, out var v)
                && (newest is not { } n || r.Seq > n.Seq || (r.Seq == n.Seq && IsPreferred(v.ToArray(), n.Value))))
            {
                newest = (r.Seq, v.ToArray());
            }
        }, CancellationToken.None);

        QueryBatch batch;
        lock (_engine.Gate)
        {
            var now = _engine.Time.GetUtcNow();
            if (newest is { } n && (n.Seq > seq || (n.Seq == seq && IsPreferred(n.Value, value.ToArray()))))
            {
                if (_published.TryGetValue(target, out var mine) && mine.Seq <= n.Seq)
                {
                    _published.Remove(target);
                    _state?.RemovePublished(mine.Key);
                }

                if (_policy.TryGet(target, now, out var held))
                {
                    var remaining = held.ExpiresAt - now;
                    _ = n.Value.Length == 0
                        ? _policy.PutTombstone(target, n.Seq, remaining, default, now)
                        : _policy.Put(target, n.Value, n.Seq, remaining, default, now);
                }

                return;
            }

            batch = SendStores(target, value.Span, seq, lookup.Lookup.Results, lookup.Tokens, now, ttl);
        }

        await batch.Task;
    }

    public void OnContactAdded(NodeInfo node, DateTimeOffset now)
    {
        if (_policy.Count == 0)
        {
            return;
        }

        // Kademlia section 2.5: a new node gets the values it is now among the k closest to, if it is closer
        // to them than we are. Only the values whose k-th closest known contact is farther than the new node.
        List<NamedValue> handOver = [];
        foreach (var value in _policy.Live(now))
        {
            if (value.Target.CompareDistance(node.Id, _engine.Id) >= 0)
            {
                continue;
            }

            _engine.Routing.FindClosest(value.Target, _engine.Options.BucketSize, _closest);
            if (_closest.Count < _engine.Options.BucketSize || value.Target.CompareDistance(node.Id, _closest[^1].Id) <= 0)
            {
                handOver.Add(value);
            }
        }

        if (handOver.Count > 0)
        {
            _engine.Observe(HandOverAsync(node, handOver));
        }
    }

    private async Task HandOverAsync(NodeInfo node, List<NamedValue> values)
    {
        foreach (var value in values)
        {
            SingleQuery<byte[]?> tokenQuery = new(static r => r.Has(KrpcFields.Token) ? r.Token.ToArray() : null);
            lock (_engine.Gate)
            {
                var q = _engine.PrepareQuery(KrpcMethod.FindValue);
                q.Target = value.Target;
                q.Fields |= KrpcFields.Target;
                _engine.SendQuery(q, node, tokenQuery, _engine.Time.GetUtcNow());
            }

            var outcome = await tokenQuery.Task;
            if (!outcome.Answered || outcome.Value is not { } token)
            {
                return;
            }

            QueryBatch batch;
            lock (_engine.Gate)
            {
                var now = _engine.Time.GetUtcNow();
                batch = SendStores(value.Target, value.Value.Span, value.Seq, [node], new Dictionary<NodeId, byte[]> { [node.Id] = token }, now, value.ExpiresAt - now);
            }

            await batch.Task;
        }
    }

    private sealed record Published(string Key, byte[] Value, long Seq);
}
