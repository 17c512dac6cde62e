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
}
