using Dht.Protocol;

namespace Dht.Routing;

/// <summary>
/// A contact paired with its precomputed distance to a lookup target, so that sorting compares plain
/// numbers and needs no comparer capturing the target.
/// </summary>
internal readonly record struct ClosestCandidate(NodeId Distance, NodeInfo Node) : IComparable<ClosestCandidate>
{
    public int CompareTo(ClosestCandidate other) => Distance.CompareTo(other.Distance);

    public static bool operator <(ClosestCandidate left, ClosestCandidate right) => left.CompareTo(right) < 0;

    public static bool operator <=(ClosestCandidate left, ClosestCandidate right) => left.CompareTo(right) <= 0;

    public static bool operator >(ClosestCandidate left, ClosestCandidate right) => left.CompareTo(right) > 0;

    public static bool operator >=(ClosestCandidate left, ClosestCandidate right) => left.CompareTo(right) >= 0;
}
