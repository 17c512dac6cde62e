namespace Dht.Protocol.Krpc;

/// <summary>Outcome of decoding a datagram as KRPC.</summary>
internal enum KrpcParseStatus : byte
{
    /// <summary>A well-formed message whose required fields are present and typed correctly.</summary>
    Ok,

    /// <summary>Not valid KRPC: answer with error 203 (protocol error) when a reply is possible.</summary>
    Malformed,

    /// <summary>A well-formed query for a method we do not know: answer with error 204.</summary>
    MethodUnknown,
}
