namespace Dht.Adversary;

/// <summary>The four bencode types.</summary>
internal enum BKind : byte
{
    Integer,
    String,
    List,
    Dictionary,
}
