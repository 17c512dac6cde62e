namespace Dht.Engine.Operations;

/// <summary>What a write to several nodes came to.</summary>
/// <param name="Asked">Nodes the write was sent to.</param>
/// <param name="Answered">Nodes that answered, with an acknowledgement or an error.</param>
/// <param name="Stored">Nodes that acknowledged the write.</param>
/// <param name="ErrorCodes">The KRPC error codes of the nodes that refused it.</param>
internal sealed record WriteOutcome(int Asked, int Answered, int Stored, IReadOnlyList<int> ErrorCodes)
{
    /// <summary>Places kept for a write lookup's laggards, written after this outcome (LaggardPlaces).</summary>
    public int Pending { get; init; }

    /// <summary>Nothing was sent (no node gave a token).</summary>
    public static WriteOutcome None { get; } = new(0, 0, 0, []);
}
