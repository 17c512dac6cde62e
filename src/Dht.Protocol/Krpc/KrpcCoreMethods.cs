// The core method table (BEP 5 and BEP 44): which argument keys each query requires and may carry, which
// keys its response may carry, and the rules that span keys. Extensions describe their own methods
// (NamedValues/NamedValueMessages); KrpcSchema puts the tables together, and KrpcMethods answers name
// lookups over them.
//
// Departures: announce_peer with port 0 and no implied_port is refused as "missing port"; a put that carries
// k or sig must carry k, sig and seq (BEP 44 says what a mutable put is, not what half of one means).
namespace Dht.Protocol.Krpc;

/// <summary>The KRPC methods of BEP 5 and BEP 44.</summary>
internal static class KrpcCoreMethods
{
    /// <summary>BEP 5 <c>ping</c>.</summary>
    public static readonly KrpcMethodDescription Ping = new(KrpcMethod.Ping, "ping", required: []);

    /// <summary>BEP 5 <c>find_node</c>.</summary>
    public static readonly KrpcMethodDescription FindNode = new(
        KrpcMethod.FindNode, "find_node", required: [KrpcKeys.Target], optional: [KrpcKeys.Want], returns: [KrpcKeys.Nodes, KrpcKeys.Nodes6]);

    /// <summary>BEP 5 <c>get_peers</c>.</summary>
    public static readonly KrpcMethodDescription GetPeers = new(
        KrpcMethod.GetPeers,
        "get_peers",
        required: [KrpcKeys.InfoHash],
        optional: [KrpcKeys.Want],
        returns: [KrpcKeys.Nodes, KrpcKeys.Nodes6, KrpcKeys.Token, KrpcKeys.Values]);

    /// <summary>BEP 5 <c>announce_peer</c> (BEP 33 <c>seed</c>).</summary>
    public static readonly KrpcMethodDescription AnnouncePeer = new(
        KrpcMethod.AnnouncePeer,
        "announce_peer",
        required: [KrpcKeys.InfoHash, KrpcKeys.Token],
        optional: [KrpcKeys.ImpliedPort, KrpcKeys.Port, KrpcKeys.Seed],
        check: static m => !m.ImpliedPort && (!m.Has(KrpcFields.Port) || m.Port == 0) ? "missing port" : null);

    /// <summary>BEP 44 <c>get</c>.</summary>
    public static readonly KrpcMethodDescription Get = new(
        KrpcMethod.Get,
        "get",
        required: [KrpcKeys.Target],
        optional: [KrpcKeys.Seq, KrpcKeys.Want],
        returns: [KrpcKeys.Key, KrpcKeys.Nodes, KrpcKeys.Nodes6, KrpcKeys.Seq, KrpcKeys.Signature, KrpcKeys.Token, KrpcKeys.Value]);

    /// <summary>BEP 44 <c>put</c>, immutable or mutable.</summary>
    public static readonly KrpcMethodDescription Put = new(
        KrpcMethod.Put,
        "put",
        required: [KrpcKeys.Token, KrpcKeys.Value],
        optional: [KrpcKeys.Cas, KrpcKeys.Key, KrpcKeys.Salt, KrpcKeys.Seq, KrpcKeys.Signature],
        check: static m => (m.Has(KrpcFields.Key) || m.Has(KrpcFields.Signature)) && !m.Has(KrpcFields.Key | KrpcFields.Signature | KrpcFields.Seq)
            ? "mutable put needs k, sig and seq"
            : null);

    /// <summary>The core methods.</summary>
    public static IReadOnlyList<KrpcMethodDescription> All { get; } = [Ping, FindNode, GetPeers, AnnouncePeer, Get, Put];
}
