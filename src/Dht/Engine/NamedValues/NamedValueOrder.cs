namespace Dht.Engine.NamedValues;

/// <summary>The order every replica applies at equal seq (DESIGN.md section 3), so that replicas converge.</summary>
internal static class NamedValueOrder
{
    /// <summary>True when <paramref name="candidate"/> wins over <paramref name="held"/> at the same seq: a tombstone beats a value, else the byte-wise larger.</summary>
    public static bool IsPreferred(ReadOnlySpan<byte> candidate, ReadOnlySpan<byte> held) =>
        (candidate.Length == 0) != (held.Length == 0) ? candidate.Length == 0 : candidate.SequenceCompareTo(held) > 0;

    /// <summary>True when (<paramref name="seq"/>, <paramref name="value"/>) is newer than (<paramref name="otherSeq"/>, <paramref name="other"/>).</summary>
    public static bool IsNewer(long seq, ReadOnlySpan<byte> value, long otherSeq, ReadOnlySpan<byte> other) =>
        seq > otherSeq || (seq == otherSeq && IsPreferred(value, other));
}
