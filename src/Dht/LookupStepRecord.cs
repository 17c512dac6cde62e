using Dht.Protocol;

namespace Dht;

/// <summary>One query of a lookup, for tracing its path.</summary>
/// <param name="Node">The node asked.</param>
/// <param name="Round">Its hop depth: 0 for the starting contacts, d + 1 for a node learned from a depth-d answer.</param>
/// <param name="SharedPrefixBits">Bits its id shares with the target (more is closer).</param>
/// <param name="Answered">True if it answered.</param>
/// <param name="Elapsed">Time from the lookup's start to the answer or the failure.</param>
public sealed record LookupStepRecord(NodeInfo Node, int Round, int SharedPrefixBits, bool Answered, TimeSpan Elapsed);
