namespace Dht.Rpc;

/// <summary>Why a query of ours did not get a usable answer.</summary>
internal enum QueryFailure : byte
{
    /// <summary>No answer within the query timeout.</summary>
    Timeout,

    /// <summary>The node answered with a KRPC error.</summary>
    ErrorReply,

    /// <summary>The answer was malformed or not what the query asked for.</summary>
    InvalidResponse,

    /// <summary>Not sent: too many queries pending.</summary>
    Overloaded,
}
