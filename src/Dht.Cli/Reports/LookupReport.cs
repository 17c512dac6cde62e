using System.Globalization;

namespace Dht.Cli.Reports;

/// <summary>What <c>lookup</c> found: its <c>--json</c> object and its lines of text.</summary>
/// <param name="Target">The id looked up (40 hex digits).</param>
/// <param name="Closest">The closest nodes that answered, closest first (at most k).</param>
/// <param name="RoundTrips">
/// Round trips on the longest chain of answers that led to the closest nodes (queries run in parallel, so this
/// is the depth of the search, not the number of queries); 0 when no node answered.
/// </param>
/// <param name="Queries">Queries sent.</param>
/// <param name="Responses">Queries answered.</param>
/// <param name="ElapsedMs">Milliseconds from start to finish.</param>
/// <param name="Path">Every node asked, in the order its answer or timeout came.</param>
internal sealed record LookupReport(
    string Target, IReadOnlyList<LookupNodeReport> Closest, int RoundTrips, int Queries, int Responses, long ElapsedMs, IReadOnlyList<LookupStepReport> Path)
{
    public IEnumerable<string> ToText(bool showPath)
    {
        yield return string.Create(CultureInfo.InvariantCulture,
            $"Target {Target}: {Closest.Count} closest node(s) after {RoundTrips} round trip(s), {Queries} queries ({Responses} answered), {ElapsedMs} ms");
        if (showPath)
        {
            yield return "Path (each node asked, as its answer or timeout came; trip n: the search's nth round trip):";
            foreach (var step in Path)
            {
                string outcome = step.Answered ? "answered" : "timed out";
                yield return string.Create(CultureInfo.InvariantCulture,
                    $"  trip {step.RoundTrip,2}  {step.Id} {step.EndPoint,-22} shared prefix {step.SharedPrefixBits,3} bits  {outcome,-9} {step.ElapsedMs,6} ms");
            }

            yield return "Closest:";
        }

        foreach (var n in Closest)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"  {n.Id} {n.EndPoint,-22} shared prefix {n.SharedPrefixBits} bits");
        }
    }
}
