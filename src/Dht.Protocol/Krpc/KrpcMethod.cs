// Ids of query methods, the value a parsed query carries. The id is all the core keeps: a method's name, keys
// and rules are in its description (KrpcCoreMethods). Only BEP 5 and BEP 44 are listed here: an extension
// declares its methods' ids itself, from FirstExtension up (the named-value extension: NamedValues/NamedValueMethods),
// and the schema refuses two methods with one id. Counters and handlers are tables indexed by id (every node has
// them), so extension ids start low: 16 leaves the core room and keeps those tables at 18 rows.
namespace Dht.Protocol.Krpc;

/// <summary>Query methods this node understands (the <c>q</c> key).</summary>
public enum KrpcMethod : byte
{
    /// <summary>A method we do not know: answered with error 204.</summary>
    Unknown,

    /// <summary>BEP 5 <c>ping</c>.</summary>
    Ping,

    /// <summary>BEP 5 <c>find_node</c>.</summary>
    FindNode,

    /// <summary>BEP 5 <c>get_peers</c>.</summary>
    GetPeers,

    /// <summary>BEP 5 <c>announce_peer</c>.</summary>
    AnnouncePeer,

    /// <summary>BEP 44 <c>get</c>.</summary>
    Get,

    /// <summary>BEP 44 <c>put</c>.</summary>
    Put,

    /// <summary>The first id left to extensions; ids below it are the core's.</summary>
    FirstExtension = 16,
}
