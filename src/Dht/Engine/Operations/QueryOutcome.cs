using Dht.Rpc;

namespace Dht.Engine.Operations;

/// <summary>The result of one query: the value read from the response, or why there was none.</summary>
internal readonly record struct QueryOutcome<T>(bool Answered, T? Value, QueryFailure? Failure, TimeSpan RoundTrip)
{
    public int ErrorCode { get; init; }
}
