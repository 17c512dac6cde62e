namespace Dht.Rpc;

/// <summary>
/// How long one query waits. Past <paramref name="Soft"/> the query stops holding up the lookup that sent it
/// (libtorrent's short timeout), though an answer is still taken; past <paramref name="Hard"/> it has failed.
/// </summary>
internal readonly record struct QueryTimeouts(TimeSpan Soft, TimeSpan Hard);
