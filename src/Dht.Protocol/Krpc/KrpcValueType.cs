// The bencode shapes a KRPC key's value may take, as the key table (KrpcKeys) declares them: what the parser
// checks a value against and how the writer puts it back.
namespace Dht.Protocol.Krpc;

/// <summary>The type of a KRPC key's value.</summary>
internal enum KrpcValueType : byte
{
    /// <summary>A 20-byte string holding a node id or an info hash.</summary>
    NodeId,

    /// <summary>A byte string, sliced from the datagram; its length may be bounded.</summary>
    String,

    /// <summary>An integer; its range may be bounded.</summary>
    Integer,

    /// <summary>An integer read as a boolean (non-zero is true), written as 0 or 1.</summary>
    Flag,

    /// <summary>A list of anything, kept in its encoded form.</summary>
    List,

    /// <summary>A list of byte strings, kept in its encoded form.</summary>
    StringList,

    /// <summary>Any bencoded value, kept in its encoded form.</summary>
    Any,
}
