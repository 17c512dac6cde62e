using Dht.Protocol;

namespace Dht.Routing;

/// <summary>
/// One k-bucket: its contacts from least to most recently seen (eviction candidates first) and its
/// replacement cache in the same order (promotion candidates last).
/// </summary>
internal sealed class KBucket
{
    public KBucket(int bucketSize, int replacementCacheSize, DateTimeOffset lastActivity)
    {
        Contacts = new List<Contact>(bucketSize);
        Replacements = new List<Contact>(replacementCacheSize);
        LastActivity = lastActivity;
    }

    public List<Contact> Contacts { get; }

    public List<Contact> Replacements { get; }

    /// <summary>Last time a contact in it was heard from, or a lookup ran into its range.</summary>
    public DateTimeOffset LastActivity { get; set; }

    public int IndexOfReplacement(NodeId id)
    {
        for (int i = 0; i < Replacements.Count; i++)
        {
            if (Replacements[i].Id == id)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Appends, up to <paramref name="max"/> in all, questionable contacts with no ping outstanding, least recently seen first.</summary>
    public void CollectQuestionable(DateTimeOffset now, RoutingTableOptions options, int max, List<NodeInfo> into)
    {
        foreach (var contact in Contacts)
        {
            if (into.Count >= max)
            {
                return;
            }

            if (contact.State(now, options) == ContactState.Questionable && !contact.IsPingOutstanding(now, options))
            {
                into.Add(contact.Node);
            }
        }
    }

    /// <summary>Inserts keeping the least-recently-seen order, for contacts that were not just heard from.</summary>
    public void InsertByLastSeen(Contact contact)
    {
        int i = Contacts.Count;
        while (i > 0 && Contacts[i - 1].LastSeen > contact.LastSeen)
        {
            i--;
        }

        Contacts.Insert(i, contact);
    }

    /// <summary>Adds a candidate at the most recent end, dropping the least recently seen beyond <paramref name="capacity"/>.</summary>
    public void AddReplacement(Contact candidate, int capacity)
    {
        if (capacity == 0)
        {
            return;
        }

        while (Replacements.Count >= capacity)
        {
            Replacements.RemoveAt(0);
        }

        Replacements.Add(candidate);
    }

    /// <summary>
    /// Takes out the least recently seen candidate when the cache holds <paramref name="capacity"/> or more (the
    /// one <see cref="AddReplacement"/> would drop), so that its object can be reused; null otherwise.
    /// </summary>
    public Contact? TakeOldestReplacementIfFull(int capacity)
    {
        if (Replacements.Count == 0 || Replacements.Count < capacity)
        {
            return null;
        }

        var oldest = Replacements[0];
        Replacements.RemoveAt(0);
        return oldest;
    }

    /// <summary>Drops every replacement candidate at <paramref name="endPoint"/>.</summary>
    public void RemoveReplacementsAt(NetEndPoint endPoint)
    {
        for (int i = Replacements.Count - 1; i >= 0; i--)
        {
            if (Replacements[i].EndPoint == endPoint)
            {
                Replacements.RemoveAt(i);
            }
        }
    }

    /// <summary>
    /// Moves, in order, the contacts and candidates sharing more than <paramref name="depth"/> bits with
    /// <paramref name="localId"/> into <paramref name="deeper"/> (a split of the last bucket).
    /// </summary>
    public void MoveDeeper(KBucket deeper, NodeId localId, int depth)
    {
        MoveDeeper(Contacts, deeper.Contacts, localId, depth);
        MoveDeeper(Replacements, deeper.Replacements, localId, depth);
    }

    /// <summary>
    /// Adds the contacts that may be handed out, with their distance to <paramref name="target"/>: those not bad,
    /// or with <paramref name="verifiedAt"/>, only those good at that time; never <paramref name="excluded"/>.
    /// </summary>
    public void CollectUsable(NodeId target, NodeId? excluded, DateTimeOffset? verifiedAt, RoutingTableOptions options, List<ClosestCandidate> into)
    {
        foreach (var contact in Contacts)
        {
            bool usable = verifiedAt is { } now
                ? contact.State(now, options) == ContactState.Good
                : contact.FailedQueries < options.MaxFailuresBeforeBad;
            if (usable && contact.Id != excluded)
            {
                into.Add(new ClosestCandidate(contact.Id ^ target, contact.Node));
            }
        }
    }

    /// <summary>How many of the contacts are good and questionable at <paramref name="now"/> (the rest are bad); allocates nothing.</summary>
    public (int Good, int Questionable) CountStates(DateTimeOffset now, RoutingTableOptions options)
    {
        int good = 0, questionable = 0;
        foreach (var contact in Contacts)
        {
            switch (contact.State(now, options))
            {
                case ContactState.Good:
                    good++;
                    break;
                case ContactState.Questionable:
                    questionable++;
                    break;
            }
        }

        return (good, questionable);
    }

    /// <summary>
    /// This bucket, number <paramref name="index"/> of a table for <paramref name="localId"/>, as the status
    /// display shows it.
    /// </summary>
    public BucketSnapshot Snapshot(int index, bool isLast, NodeId localId, DateTimeOffset now, RoutingTableOptions options)
    {
        var (good, questionable) = CountStates(now, options);
        int bad = Contacts.Count - good - questionable;

        // Bucket i holds the ids sharing exactly i leading bits with ours: our first i bits, then the other bit.
        // The last one holds every deeper id.
        int prefixLength = isLast ? index : index + 1;
        var prefix = isLast
            ? localId & NodeId.Mask(index)
            : (localId ^ (NodeId.Mask(index + 1) ^ NodeId.Mask(index))) & NodeId.Mask(index + 1);
        return new BucketSnapshot(
            index, prefix, prefixLength, isLast, Contacts.Count, good, questionable, bad, Replacements.Count, LastActivity);
    }

    private static void MoveDeeper(List<Contact> from, List<Contact> to, NodeId localId, int depth)
    {
        int kept = 0;
        for (int i = 0; i < from.Count; i++)
        {
            var contact = from[i];
            if (localId.CommonPrefixLength(contact.Id) > depth)
            {
                to.Add(contact);
            }
            else
            {
                from[kept++] = contact;
            }
        }

        from.RemoveRange(kept, from.Count - kept);
    }
}
