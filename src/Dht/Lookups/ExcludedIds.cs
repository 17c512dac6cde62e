using Dht.Protocol;

namespace Dht.Lookups;

/// <summary>
/// The ids a lookup never asks. Nearly every lookup excludes exactly one (our own), so the first is held inline
/// and a set is only made for more.
/// </summary>
internal struct ExcludedIds
{
    private NodeId _first;
    private bool _any;
    private HashSet<NodeId>? _more;

    /// <summary>Adds <paramref name="id"/>; false when it was already there.</summary>
    public bool Add(NodeId id)
    {
        if (Contains(id))
        {
            return false;
        }

        if (!_any)
        {
            _first = id;
            _any = true;
            return true;
        }

        return (_more ??= []).Add(id);
    }

    public readonly bool Contains(NodeId id) => _any && (id == _first || (_more is not null && _more.Contains(id)));
}
