// The routing table: the contacts this node knows, in k-buckets by XOR distance from our id, as the Kademlia
// paper and BEP 5 describe them, with BEP 5's good / questionable / bad states deciding who is evicted.
//
// Where it departs from the paper:
// - The paper's tree is kept as a list, as libtorrent does: bucket i holds the contacts that share exactly i
//   leading bits with our id and the last bucket holds everything deeper. Only the last bucket splits (the
//   paper's rule: split only the bucket whose range contains our id), up to 160 buckets.
// - Not implemented: the paper's relaxation (section 4.2) that keeps every contact of the smallest subtree
//   holding at least k nodes around our id, even if that splits buckets not containing our id. The list
//   cannot represent such splits; the contacts it would keep wait in the replacement caches instead, and a
//   lookup for our own id still finds them in the network.
// - Liveness follows BEP 5 rather than the paper's "ping the least recently seen on every insert into a full
//   bucket": a bad contact is replaced at once; if the bucket has questionable contacts the newcomer waits in
//   the replacement cache and the caller pings the least recently seen questionable one (Pending, as
//   rust-libp2p's kbucket); if every contact is good the newcomer only waits in the cache (Full).
// - A contact that fails one of our queries is swapped at once for the most recently seen replacement, as
//   libtorrent does (BEP 5 waits for "multiple queries in a row"): a departed node leaves the bucket on its
//   first timeout rather than 15 minutes later. Without a replacement it stays, questionable, until it has
//   failed MaxFailuresBeforeBad queries in a row; then it is bad and kept (never returned by FindClosest)
//   until a newcomer takes its slot: a loss burst does not empty the table.
// - Answers to other nodes list only good contacts (FindClosestVerified): nodes that answered one of our
//   queries recently, so that a spoofed or departed node is not handed on. Our own lookups still start from
//   questionable contacts (FindClosest).
// - Each contact keeps a round-trip estimate (RFC 6298) of its answers, from which its queries' timeouts come.
// - Nodes that have only queried us are inserted, as the paper inserts every sender (libtorrent only adds
//   nodes it has queried), but stay questionable until they answer one of our queries (FirstResponse marks
//   that answer): they are verified by the caller and never push out a good contact. Nodes we only hear
//   about from others enter only by answering us; WouldInsert says which are worth asking.
// - A known id does not move to another address unless its contact is bad, and a known address does not
//   change hands to another id while its contact is good: spoofed senders cannot redirect good contacts.
// - BEP 5's refresh: a bucket with no contact heard from and no lookup into its range for RefreshInterval is
//   refreshed with a lookup of a random id in its range.
//
// The table never reads a clock or draws randomness of its own, and is not thread-safe: it belongs to the
// node's single event loop.
using System.Diagnostics.CodeAnalysis;
using Dht.Protocol;
using Dht.Rpc;

namespace Dht.Routing;

/// <summary>The k-bucket routing table of one node.</summary>
internal sealed partial class RoutingTable : IRoundTripSource
{
    private readonly RoutingTableOptions _options;
    private readonly List<KBucket> _buckets = [];
    private readonly Dictionary<NodeId, Contact> _byId = [];
    private readonly Dictionary<NetEndPoint, Contact> _byEndPoint = [];

    // Reused by FindClosest, which runs for every incoming find_node and get_peers.
    private readonly List<ClosestCandidate> _scratch = [];

    public RoutingTable(NodeId localId, RoutingTableOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BucketSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.ReplacementCacheSize);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.GoodWindow, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxFailuresBeforeBad, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.RefreshInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(options.PingRetryInterval.Ticks);
        LocalId = localId;
        _options = options;
        _buckets.Add(NewBucket(now));
    }

    public NodeId LocalId { get; }

    public RoutingTableOptions Options => _options;

    /// <summary>Contacts in buckets (replacement caches not included).</summary>
    public int Count => _byId.Count;

    public int BucketCount => _buckets.Count;

    /// <summary>Candidates waiting in all replacement caches.</summary>
    public int ReplacementCount => _buckets.Sum(b => b.Replacements.Count);

    /// <summary>Contacts bucket by bucket from the farthest bucket, each from least to most recently seen.</summary>
    public IEnumerable<Contact> Contacts => _buckets.SelectMany(b => b.Contacts);

    /// <summary>Replacement candidates bucket by bucket, each from least to most recently seen.</summary>
    public IEnumerable<Contact> Replacements => _buckets.SelectMany(b => b.Replacements);

    /// <summary>Index of the bucket whose range holds <paramref name="id"/>.</summary>
    public int BucketIndexOf(NodeId id) => Math.Min(LocalId.CommonPrefixLength(id), _buckets.Count - 1);

    /// <summary>
    /// Records a valid message from <paramref name="node"/>. <paramref name="isResponse"/>: it answered one of our
    /// queries (so it is good); otherwise it sent us a query (good only if it has answered us before).
    /// <paramref name="roundTrip"/>: how long that answer took, folded into the contact's estimate.
    /// </summary>
    public InsertResult Heard(NodeInfo node, bool isResponse, DateTimeOffset now, TimeSpan? roundTrip = null)
    {
        if (node.Id == LocalId || node.EndPoint.IsUnusable)
        {
            return new InsertResult(InsertOutcome.Rejected);
        }

        if (_byId.TryGetValue(node.Id, out var known))
        {
            return HeardKnown(known, node, isResponse, now, roundTrip);
        }

        if (_byEndPoint.TryGetValue(node.EndPoint, out var previous))
        {
            // The address answers under a new id: a restarted node, or someone spoofing it, or one address churning
            // ids. A good contact stays. A questionable one gives way to an answer to our query (the address has
            // shown the new id), but to a mere query only once it is bad (it failed ours): otherwise each new id
            // would replace it, and cost a new contact's work, at the rate the address sends queries.
            var state = previous.State(now, _options);
            if (state == ContactState.Good || (!isResponse && state != ContactState.Bad))
            {
                return new InsertResult(InsertOutcome.Rejected);
            }

            RemoveFromBucket(_buckets[BucketIndexOf(previous.Id)], previous);
            var result = InsertNew(node, isResponse, now, roundTrip);
            Refill(_buckets[BucketIndexOf(previous.Id)]);
            return result;
        }

        return InsertNew(node, isResponse, now, roundTrip);
    }

    /// <summary>
    /// One of our queries to <paramref name="node"/> timed out or failed. Counts only against a contact known at
    /// that very address, which is replaced at once when a replacement is waiting; a replacement candidate that
    /// fails is dropped.
    /// </summary>
    public void Failed(NodeInfo node, DateTimeOffset now)
    {
        _ = now; // a failure counts whenever it comes; kept for symmetry with Heard
        var bucket = _buckets[BucketIndexOf(node.Id)];
        if (_byId.TryGetValue(node.Id, out var contact))
        {
            if (contact.EndPoint != node.EndPoint)
            {
                return;
            }

            contact.OnFailed();
            ReplaceWithCandidate(bucket, contact);
            return;
        }

        int i = bucket.IndexOfReplacement(node.Id);
        if (i >= 0 && bucket.Replacements[i].EndPoint == node.EndPoint)
        {
            bucket.Replacements.RemoveAt(i);
        }
    }

    /// <summary>
    /// We pinged the contact: <see cref="QuestionableToPing"/> and Pending results skip it until the outcome
    /// arrives (<see cref="Heard"/> or <see cref="Failed"/>) or <see cref="RoutingTableOptions.PingRetryInterval"/>
    /// passes.
    /// </summary>
    public void MarkPinged(NodeId id, DateTimeOffset now)
    {
        if (_byId.TryGetValue(id, out var contact))
        {
            contact.OnPinged(now);
        }
    }

    /// <summary>
    /// Replaces the contents of <paramref name="into"/> with up to <paramref name="count"/> contacts closest to
    /// <paramref name="target"/>, closest first, bad contacts and <paramref name="excluded"/> left out. Allocates
    /// nothing once the lists have grown.
    /// </summary>
    public void FindClosest(NodeId target, int count, List<NodeInfo> into, NodeId? excluded = null) =>
        FindClosest(target, count, into, excluded, verifiedAt: null);

    private void FindClosest(NodeId target, int count, List<NodeInfo> into, NodeId? excluded, DateTimeOffset? verifiedAt)
    {
        ArgumentNullException.ThrowIfNull(into);
        into.Clear();
        if (count > 0 && _byId.Count > 0)
        {
            ClosestContacts.Find(_buckets, BucketIndexOf(target), target, count, excluded, verifiedAt, _options, _scratch, into);
        }
    }

    /// <summary>
    /// As <see cref="FindClosest(NodeId, int, List{NodeInfo}, NodeId?)"/>, but only good contacts (BEP 5: answered one of our queries within the good
    /// window, and no failure since): what we hand to other nodes.
    /// </summary>
    public void FindClosestVerified(NodeId target, int count, List<NodeInfo> into, DateTimeOffset now, NodeId? excluded = null) =>
        FindClosest(target, count, into, excluded, verifiedAt: now);

    /// <inheritdoc/>
    public RoundTripEstimate RoundTripOf(NodeId id, NetEndPoint endPoint) =>
        _byId.TryGetValue(id, out var contact) && contact.EndPoint == endPoint ? contact.RoundTrip : default;

    /// <summary>
    /// True when <paramref name="node"/> is unknown (by id or address, replacement caches included) and would
    /// enter a bucket if it answered: its bucket has a free slot, or is the last one and may split.
    /// </summary>
    public bool WouldInsert(NodeInfo node)
    {
        int index = BucketIndexOf(node.Id);
        var bucket = _buckets[index];
        return node.Id != LocalId && !node.EndPoint.IsUnusable && !_byId.ContainsKey(node.Id) && !_byEndPoint.ContainsKey(node.EndPoint)
            && bucket.IndexOfReplacement(node.Id) < 0
            && (bucket.Contacts.Count < _options.BucketSize || (index == _buckets.Count - 1 && _buckets.Count < NodeId.Bits));
    }

    /// <summary>A contact in a bucket (not a replacement candidate).</summary>
    public bool TryGet(NodeId id, [NotNullWhen(true)] out Contact? contact) => _byId.TryGetValue(id, out contact);

    /// <summary>Forgets the node, in a bucket or a replacement cache; a freed slot takes a replacement.</summary>
    public bool Remove(NodeId id)
    {
        var bucket = _buckets[BucketIndexOf(id)];
        if (_byId.TryGetValue(id, out var contact))
        {
            RemoveFromBucket(bucket, contact);
            Refill(bucket);
            return true;
        }

        int i = bucket.IndexOfReplacement(id);
        if (i < 0)
        {
            return false;
        }

        bucket.Replacements.RemoveAt(i);
        return true;
    }

    private InsertResult HeardKnown(Contact known, NodeInfo node, bool isResponse, DateTimeOffset now, TimeSpan? roundTrip)
    {
        var bucket = _buckets[BucketIndexOf(known.Id)];
        KBucket? vacated = null;
        if (known.EndPoint != node.EndPoint)
        {
            if (known.State(now, _options) != ContactState.Bad)
            {
                return new InsertResult(InsertOutcome.Rejected);
            }

            if (_byEndPoint.TryGetValue(node.EndPoint, out var other))
            {
                if (other.State(now, _options) == ContactState.Good)
                {
                    return new InsertResult(InsertOutcome.Rejected);
                }

                vacated = _buckets[BucketIndexOf(other.Id)];
                RemoveFromBucket(vacated, other);
            }

            _byEndPoint.Remove(known.EndPoint);
            known.MoveTo(node.EndPoint, now);
            _byEndPoint.Add(known.EndPoint, known);
        }

        bool firstResponse = isResponse && known.LastResponse is null;
        known.OnHeard(isResponse, now, roundTrip);
        bucket.Contacts.Remove(known);
        bucket.Contacts.Add(known);
        bucket.LastActivity = now;
        if (vacated is not null)
        {
            Refill(vacated);
        }

        return new InsertResult(InsertOutcome.Updated) { FirstResponse = firstResponse };
    }

    private InsertResult InsertNew(NodeInfo node, bool isResponse, DateTimeOffset now, TimeSpan? roundTrip)
    {
        while (true)
        {
            int index = BucketIndexOf(node.Id);
            var bucket = _buckets[index];
            if (bucket.Contacts.Count < _options.BucketSize)
            {
                return new InsertResult(InsertOutcome.Inserted) { FirstResponse = AddHeard(bucket, node, isResponse, now, roundTrip) };
            }

            if (index == _buckets.Count - 1 && _buckets.Count < NodeId.Bits)
            {
                Split();
                continue;
            }

            foreach (var contact in bucket.Contacts)
            {
                if (contact.State(now, _options) == ContactState.Bad)
                {
                    RemoveFromBucket(bucket, contact);
                    return new InsertResult(InsertOutcome.Inserted) { FirstResponse = AddHeard(bucket, node, isResponse, now, roundTrip) };
                }
            }

            AddReplacement(bucket, node, isResponse, now, roundTrip);
            bool anyQuestionable = false;
            foreach (var contact in bucket.Contacts)
            {
                if (contact.State(now, _options) != ContactState.Questionable)
                {
                    continue;
                }

                anyQuestionable = true;
                if (!contact.IsPingOutstanding(now, _options))
                {
                    return new InsertResult(InsertOutcome.Pending, contact.Node);
                }
            }

            return anyQuestionable
                ? new InsertResult(InsertOutcome.Pending)
                : new InsertResult(InsertOutcome.Full);
        }
    }

    /// <summary>
    /// The node's replacement entry (moved to its current address), taken out of the cache, or null when it has
    /// none. Other candidates at that address are dropped: one address is one node, an older one there is stale.
    /// </summary>
    private static Contact? TakeReplacement(KBucket bucket, NodeInfo node, DateTimeOffset now)
    {
        Contact? contact = null;
        int i = bucket.IndexOfReplacement(node.Id);
        if (i >= 0)
        {
            contact = bucket.Replacements[i];
            bucket.Replacements.RemoveAt(i);
            if (contact.EndPoint != node.EndPoint)
            {
                contact.MoveTo(node.EndPoint, now);
            }
        }

        bucket.RemoveReplacementsAt(node.EndPoint);
        return contact;
    }

    /// <summary>
    /// Adds a node just heard from at the tail, keeping what its replacement entry knew of it; true when this was
    /// its first answer to us.
    /// </summary>
    private bool AddHeard(KBucket bucket, NodeInfo node, bool isResponse, DateTimeOffset now, TimeSpan? roundTrip)
    {
        var contact = TakeReplacement(bucket, node, now) ?? new Contact(node, now);
        bool firstResponse = isResponse && contact.LastResponse is null;
        contact.OnHeard(isResponse, now, roundTrip);
        bucket.Contacts.Add(contact);
        _byId.Add(contact.Id, contact);
        _byEndPoint.Add(contact.EndPoint, contact);
        bucket.LastActivity = now;
        return firstResponse;
    }

    // A newcomer to a full cache takes the place, and the object, of the least recently seen candidate: a
    // stream of new querying nodes into full buckets (the steady state of a busy node, or a flood of new ids)
    // then allocates nothing.
    private void AddReplacement(KBucket bucket, NodeInfo node, bool isResponse, DateTimeOffset now, TimeSpan? roundTrip)
    {
        int capacity = _options.ReplacementCacheSize;
        if (capacity == 0)
        {
            return;
        }

        var entry = TakeReplacement(bucket, node, now)
            ?? bucket.TakeOldestReplacementIfFull(capacity)?.Reset(node, now)
            ?? new Contact(node, now);
        entry.OnHeard(isResponse, now, roundTrip);
        bucket.AddReplacement(entry, capacity);
    }

    private void RemoveFromBucket(KBucket bucket, Contact contact)
    {
        bucket.Contacts.Remove(contact);
        _byId.Remove(contact.Id);
        _byEndPoint.Remove(contact.EndPoint);
    }

    /// <summary>Swaps a bad contact for the most recent usable replacement, if there is one.</summary>
    private void ReplaceWithCandidate(KBucket bucket, Contact bad)
    {
        var candidate = TakeCandidate(bucket, bad.EndPoint);
        if (candidate is null)
        {
            return;
        }

        RemoveFromBucket(bucket, bad);
        AddPromoted(bucket, candidate);
    }

    /// <summary>Fills free slots from the replacement cache, most recently seen first.</summary>
    private void Refill(KBucket bucket)
    {
        while (bucket.Contacts.Count < _options.BucketSize && TakeCandidate(bucket, null) is { } candidate)
        {
            AddPromoted(bucket, candidate);
        }
    }

    /// <summary>
    /// Takes the most recently seen replacement whose address no contact holds (except
    /// <paramref name="leaving"/>, the address about to be freed); candidates whose address is taken are stale
    /// and dropped.
    /// </summary>
    private Contact? TakeCandidate(KBucket bucket, NetEndPoint? leaving)
    {
        while (bucket.Replacements.Count > 0)
        {
            var candidate = bucket.Replacements[^1];
            bucket.Replacements.RemoveAt(bucket.Replacements.Count - 1);
            if (candidate.EndPoint == leaving || !_byEndPoint.ContainsKey(candidate.EndPoint))
            {
                return candidate;
            }
        }

        return null;
    }

    private void AddPromoted(KBucket bucket, Contact candidate)
    {
        // Not heard from just now: it goes where its last-seen time puts it, not at the tail.
        bucket.InsertByLastSeen(candidate);
        _byId.Add(candidate.Id, candidate);
        _byEndPoint.Add(candidate.EndPoint, candidate);
    }

    private void Split()
    {
        int depth = _buckets.Count - 1;
        var shallow = _buckets[depth];
        var deeper = NewBucket(shallow.LastActivity);
        shallow.MoveDeeper(deeper, LocalId, depth);
        _buckets.Add(deeper);
    }

    private KBucket NewBucket(DateTimeOffset lastActivity) =>
        new(_options.BucketSize, _options.ReplacementCacheSize, lastActivity);
}
