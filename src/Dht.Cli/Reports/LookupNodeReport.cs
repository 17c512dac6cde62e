namespace Dht.Cli.Reports;

/// <summary>One of the closest nodes a lookup found.</summary>
/// <param name="Id">Its node id.</param>
/// <param name="EndPoint">ADDRESS:PORT.</param>
/// <param name="SharedPrefixBits">Leading bits its id shares with the target (more is closer).</param>
internal sealed record LookupNodeReport(string Id, string EndPoint, int SharedPrefixBits);
