// Which nodes are sent our named-value extension (find_value, store), and how a node shows that it serves it.
// Other implementations do not: webtorrent's bittorrent-dht never answers a method it does not know (every such
// query is a timeout to us, and was counted against the node), and libtorrent answers one that names a target as
// find_node (so a store "succeeded" at a node that stored nothing). So the extension's queries go only to nodes
// that showed they serve it; the others are traversed with find_node, which every Mainline node answers.
//
// A node shows it serves the extension by our client version in any message it sends (every message of ours
// carries it), and by answering find_value with a write token. It shows it does not by error 204 (a node of ours
// with named values turned off still sends our client version) or by answering find_value without a token.
// What a contact has shown is kept on its routing-table contact (Routing.Contact.Extension).
using Dht.Protocol.Krpc;
using Dht.Protocol.Krpc.NamedValues;

namespace Dht.Engine.Network;

/// <summary>The rules of who is sent our extension's queries.</summary>
internal static class ExtensionReach
{
    /// <summary>True for the queries of our extension, which only nodes that serve it are sent.</summary>
    public static bool IsExtensionMethod(KrpcMethod method) => method is NamedValueMethods.FindValue or NamedValueMethods.Store;

    /// <summary>True when <paramref name="message"/> carries our client version.</summary>
    public static bool Advertises(KrpcMessage message) => NodeIdentity.IsOurs(message.ClientVersion.Span);

    /// <summary>
    /// The method a node is sent in place of <paramref name="method"/> when it is not known to serve our
    /// extension: find_node, which converges on the same target.
    /// </summary>
    public static KrpcMethod Traversal(KrpcMethod method) => IsExtensionMethod(method) ? KrpcMethod.FindNode : method;

    /// <summary>
    /// True when <paramref name="response"/> answers <paramref name="method"/> the way a node that serves it
    /// would: a find_value answer carries a write token, and no write is acknowledged with a list of nodes (the
    /// answer of a node that took an unknown method for find_node). Methods other than ours always pass.
    /// </summary>
    public static bool IsExtensionAnswer(KrpcMethod method, KrpcMessage response) => method switch
    {
        NamedValueMethods.FindValue => response.Has(KrpcFields.Token),
        NamedValueMethods.Store => !response.Has(KrpcFields.Nodes) && !response.Has(KrpcFields.Nodes6),
        _ => true,
    };
}
