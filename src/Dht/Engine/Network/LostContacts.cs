// Contacts that stopped answering, kept for a while and pinged with back-off. Kademlia drops a node that
// fails and relies on new traffic to learn it again; after a network partition heals there is no such
// traffic, because each side has filled its buckets with its own half. Re-pinging recently lost contacts
// (the idea of libtorrent's "node_entry" retry and of re-pinging bootstrap nodes, applied to every lost
// contact) lets the two sides find each other within minutes. Bounded: the oldest loss is forgotten first.
using Dht.Protocol;

namespace Dht.Engine.Network;

/// <summary>A bounded list of recently lost contacts, each with its next ping time.</summary>
internal sealed class LostContacts(int capacity, TimeSpan firstRetry, TimeSpan maxRetry, TimeSpan forgetAfter)
{
    private readonly List<Entry> _entries = [];

    public int Count => _entries.Count;

    /// <summary>Remembers a contact that failed and left the usable part of the table.</summary>
    public void Add(NodeInfo node, DateTimeOffset now)
    {
        if (IndexOf(node.Id) >= 0)
        {
            return;
        }

        if (_entries.Count >= capacity)
        {
            _entries.RemoveAt(0);
        }

        _entries.Add(new Entry(node, now, now + firstRetry, firstRetry));
    }

    /// <summary>The node answered again: it is back in the table, nothing to retry.</summary>
    public void Remove(NodeId id)
    {
        int i = IndexOf(id);
        if (i >= 0)
        {
            _entries.RemoveAt(i);
        }
    }

    /// <summary>Contacts due for a ping now (their next retry is pushed back); forgets those lost too long.</summary>
    public void Due(DateTimeOffset now, int max, List<NodeInfo> into)
    {
        into.Clear();
        _entries.RemoveAll(e => now - e.LostAt > forgetAfter);
        for (int i = 0; i < _entries.Count && into.Count < max; i++)
        {
            var e = _entries[i];
            if (e.NextPing <= now)
            {
                var backoff = e.Backoff * 2 > maxRetry ? maxRetry : e.Backoff * 2;
                _entries[i] = e with { NextPing = now + backoff, Backoff = backoff };
                into.Add(e.Node);
            }
        }
    }

    // A loop, not FindIndex with a lambda: Remove runs for every answer to our queries, and the lambda would
    // capture the id in a new closure each time.
    private int IndexOf(NodeId id)
    {
        for (int i = 0; i < _entries.Count; i++)
        {
            if (_entries[i].Node.Id == id)
            {
                return i;
            }
        }

        return -1;
    }

    private readonly record struct Entry(NodeInfo Node, DateTimeOffset LostAt, DateTimeOffset NextPing, TimeSpan Backoff);
}
