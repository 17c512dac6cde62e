using System.Diagnostics;
using Dht.Protocol;
using Dht.Telemetry;

namespace Dht;

/// <summary>The answer to a ping: whether it came, the responder's id and the round-trip time.</summary>
/// <param name="EndPoint">The endpoint pinged.</param>
/// <param name="Answered">True when it answered before the query timeout.</param>
/// <param name="NodeId">The responder's node id; null without an answer.</param>
/// <param name="RoundTrip">The round-trip time; without an answer, how long the ping waited.</param>
public sealed record PingResult(NetEndPoint EndPoint, bool Answered, NodeId? NodeId, TimeSpan RoundTrip) : IOperationResult
{
    string IOperationResult.Outcome => Answered ? Outcomes.Answered : Outcomes.NoNodeAnswered;

    void IOperationResult.Describe(Activity activity)
    {
    }
}
