namespace Dht;

/// <summary>One k-bucket in a <see cref="NodeStatus"/>: which ids it covers (by shared prefix length with ours) and how full it is.</summary>
public sealed record BucketStatus(int Index, int PrefixLength, bool IsLast, int Count, int Good, int Questionable, int Replacements);
