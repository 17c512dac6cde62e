namespace Dht.Cli.Reports;

/// <summary>One query of a lookup's path.</summary>
/// <param name="Id">The node asked.</param>
/// <param name="EndPoint">ADDRESS:PORT.</param>
/// <param name="RoundTrip">
/// Which round trip of the search this query was: 1 for the contacts it started from, n + 1 for a node learned
/// from the answer to round trip n.
/// </param>
/// <param name="SharedPrefixBits">Leading bits its id shares with the target.</param>
/// <param name="Answered">It answered (else it timed out).</param>
/// <param name="ElapsedMs">Milliseconds from the lookup's start to the answer or the timeout.</param>
internal sealed record LookupStepReport(string Id, string EndPoint, int RoundTrip, int SharedPrefixBits, bool Answered, long ElapsedMs);
