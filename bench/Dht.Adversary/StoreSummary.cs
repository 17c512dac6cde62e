using System.Globalization;

namespace Dht.Adversary;

/// <summary>What became of the stores sent in one phase of a stores run.</summary>
/// <param name="Sent">Stores sent.</param>
/// <param name="Acknowledged">Those answered with a response (the node says they are durable), and how fast.</param>
/// <param name="RefusedByCode">Those answered with a KRPC error, by error code.</param>
/// <param name="Refusals">How fast the errors came.</param>
/// <param name="FirstAcknowledgedMs">From the phase's start to the first acknowledgement of a store sent in it.</param>
internal sealed record StoreSummary(int Sent, LatencySummary Acknowledged, IReadOnlyDictionary<int, int> RefusedByCode, LatencySummary Refusals, double FirstAcknowledgedMs)
{
    public int Unanswered => Sent - Acknowledged.Count - Refusals.Count;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"stores: {Sent} sent; acknowledged {Acknowledged}; refused {Refusals}{Codes()}; unanswered {Unanswered}");

    public string ToJson() => string.Create(CultureInfo.InvariantCulture,
        $"{{\"sent\":{Sent},\"acknowledged\":{Acknowledged.ToJson()},\"refused\":{Refusals.ToJson()}," +
        $"\"refused_by_code\":{{{string.Join(',', RefusedByCode.Select(c => $"\"{c.Key}\":{c.Value}"))}}},\"unanswered\":{Unanswered}," +
        $"\"first_acknowledged_ms\":{LatencySummary.Json(FirstAcknowledgedMs)}}}");

    private string Codes() => RefusedByCode.Count == 0
        ? string.Empty
        : " [" + string.Join(", ", RefusedByCode.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Value} × error {c.Key}"))) + "]";
}
