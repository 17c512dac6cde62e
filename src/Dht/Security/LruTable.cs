// A bounded map that forgets the entry used least recently, with O(1) lookup, insert and eviction: a
// dictionary from key to slot, and an intrusive doubly linked list threaded through arrays of slots (most
// recently used at the head). Values are structs handed out by reference, so updating an entry costs no
// copy and the steady state allocates nothing: evicted slots are reused in place, and slots freed by
// Remove go to a free list. Nothing is allocated before the first entry and the arrays double up to the
// capacity, so an empty table (one per part of each of thousands of simulated nodes) costs a few bytes.
//
// Not thread-safe and takes no locks: it belongs to one node's loop, like every other part of the node.
// BitFaster.Caching's ConcurrentLru was the alternative; it pays for thread safety we do not need, and its
// segmented queues only approximate recency, which makes a rate limiter's eviction order hard to state.
using System.Runtime.CompilerServices;

namespace Dht.Security;

/// <summary>A fixed-capacity least-recently-used table of struct values.</summary>
/// <typeparam name="TKey">The key.</typeparam>
/// <typeparam name="TValue">The value, a struct updated in place through the references this table returns.</typeparam>
internal sealed class LruTable<TKey, TValue>
    where TKey : notnull, IEquatable<TKey>
    where TValue : struct
{
    private const int None = -1;
    private const int FirstSlots = 8;

    private readonly Dictionary<TKey, int> _index = [];
    private TKey[] _keys = [];
    private TValue[] _values = [];
    private int[] _previous = [];
    private int[] _next = [];
    private int _head = None; // most recently used
    private int _tail = None; // least recently used
    private int _free = None; // slots released by Remove, linked through _next
    private int _used;        // slots handed out so far (the arrays grow up to the capacity)

    public LruTable(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    /// <summary>The most entries held; adding one more forgets the least recently used.</summary>
    public int Capacity { get; }

    public int Count => _index.Count;

    /// <summary>
    /// The value of <paramref name="key"/>, now the most recently used. A new key gets a default value
    /// (<paramref name="added"/> is true), taking the slot of the least recently used entry when the table is
    /// full. The reference is valid until the next call that adds or removes an entry.
    /// </summary>
    public ref TValue GetOrAdd(TKey key, out bool added)
    {
        if (_index.TryGetValue(key, out int slot))
        {
            MoveToHead(slot);
            added = false;
            return ref _values[slot];
        }

        if (_index.Count == Capacity)
        {
            slot = _tail;
            Unlink(slot);
            _index.Remove(_keys[slot]);
        }
        else
        {
            slot = TakeFreeSlot();
        }

        _keys[slot] = key;
        _values[slot] = default;
        _index.Add(key, slot);
        LinkAtHead(slot);
        added = true;
        return ref _values[slot];
    }

    /// <summary>
    /// The value of <paramref name="key"/> without changing its recency, or a null reference (test it with
    /// <see cref="Unsafe.IsNullRef{T}(ref readonly T)"/>) when the key is not held.
    /// </summary>
    public ref TValue Find(TKey key)
    {
        if (_index.TryGetValue(key, out int slot))
        {
            return ref _values[slot];
        }

        return ref Unsafe.NullRef<TValue>();
    }

    /// <summary>The least recently used value, or a null reference when the table is empty.</summary>
    public ref TValue PeekOldest()
    {
        if (_tail == None)
        {
            return ref Unsafe.NullRef<TValue>();
        }

        return ref _values[_tail];
    }

    /// <summary>Forgets the least recently used entry; false when the table is empty.</summary>
    public bool RemoveOldest()
    {
        if (_tail == None)
        {
            return false;
        }

        Release(_tail);
        return true;
    }

    /// <summary>Forgets <paramref name="key"/>; false when it was not held.</summary>
    public bool Remove(TKey key)
    {
        if (!_index.TryGetValue(key, out int slot))
        {
            return false;
        }

        Release(slot);
        return true;
    }

    private void Release(int slot)
    {
        Unlink(slot);
        _index.Remove(_keys[slot]);
        _keys[slot] = default!;
        _next[slot] = _free;
        _free = slot;
    }

    private int TakeFreeSlot()
    {
        if (_free != None)
        {
            int slot = _free;
            _free = _next[slot];
            return slot;
        }

        if (_used == _keys.Length)
        {
            int size = (int)Math.Min(Capacity, Math.Max(FirstSlots, _keys.Length * 2L));
            Array.Resize(ref _keys, size);
            Array.Resize(ref _values, size);
            Array.Resize(ref _previous, size);
            Array.Resize(ref _next, size);
        }

        return _used++;
    }

    private void MoveToHead(int slot)
    {
        if (slot != _head)
        {
            Unlink(slot);
            LinkAtHead(slot);
        }
    }

    private void LinkAtHead(int slot)
    {
        _previous[slot] = None;
        _next[slot] = _head;
        if (_head != None)
        {
            _previous[_head] = slot;
        }

        _head = slot;
        if (_tail == None)
        {
            _tail = slot;
        }
    }

    private void Unlink(int slot)
    {
        int previous = _previous[slot], next = _next[slot];
        if (previous != None)
        {
            _next[previous] = next;
        }
        else
        {
            _head = next;
        }

        if (next != None)
        {
            _previous[next] = previous;
        }
        else
        {
            _tail = previous;
        }
    }
}
