namespace Dht.Rpc;

/// <summary>
/// A smoothed round-trip time and its variation, updated as TCP does (RFC 6298, section 2: gains 1/8 and 1/4,
/// the first sample sets SRTT = R and RTTVAR = R/2). KRPC never retransmits, so every answer is a clean
/// sample and Karn's rule has nothing to exclude. Kept inline (a struct) in contacts and in the RPC manager.
/// </summary>
internal struct RoundTripEstimate
{
    /// <summary>The smoothed round-trip time (SRTT); zero until the first sample.</summary>
    public TimeSpan Smoothed { get; private set; }

    /// <summary>The round-trip time variation (RTTVAR), a smoothed mean deviation.</summary>
    public TimeSpan Variation { get; private set; }

    /// <summary>Samples taken; zero means never measured.</summary>
    public int Samples { get; private set; }

    public readonly bool IsMeasured => Samples > 0;

    /// <summary>Folds in the round trip of one answer.</summary>
    public void Add(TimeSpan sample)
    {
        if (sample < TimeSpan.Zero)
        {
            sample = TimeSpan.Zero;
        }

        if (Samples == 0)
        {
            Smoothed = sample;
            Variation = sample / 2;
        }
        else
        {
            // RFC 6298 2.3, in this order: RTTVAR uses the SRTT from before this sample.
            long deviation = Math.Abs(Smoothed.Ticks - sample.Ticks);
            Variation = TimeSpan.FromTicks(Variation.Ticks - (Variation.Ticks >> 2) + (deviation >> 2));
            Smoothed = TimeSpan.FromTicks(Smoothed.Ticks - (Smoothed.Ticks >> 3) + (sample.Ticks >> 3));
        }

        if (Samples < int.MaxValue)
        {
            Samples++;
        }
    }

    /// <summary>
    /// RFC 6298's retransmission timeout, SRTT + max(G, 4 RTTVAR), with <paramref name="minVariation"/> as G:
    /// the least margin above the smoothed round trip.
    /// </summary>
    public readonly TimeSpan Timeout(TimeSpan minVariation)
    {
        long margin = Math.Max(minVariation.Ticks, 4 * Variation.Ticks);
        return TimeSpan.FromTicks(Smoothed.Ticks + margin);
    }

    public override readonly string ToString() =>
        IsMeasured ? $"srtt {Smoothed.TotalMilliseconds:F1} ms, rttvar {Variation.TotalMilliseconds:F1} ms ({Samples})" : "not measured";
}
