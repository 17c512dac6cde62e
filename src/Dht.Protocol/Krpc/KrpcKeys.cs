// The core key table: every key of the "a" and "r" dictionaries that BEP 5, BEP 32, BEP 33 and BEP 44 define,
// with its type and limits. It is written in bencode byte order, the order the writer emits keys in (a test
// holds it to that). Which method uses which key is said by the method descriptions (KrpcCoreMethods), and
// extensions bring their own keys (NamedValues/NamedValueMessages); KrpcSchema puts them together.
//
// Departures: "token" is capped at KrpcParser.MaxTokenLength bytes and "port" at 65535; "seq" must not be negative;
// "salt" is not capped here, since BEP 44 answers an oversized salt with its own error (207), not 203.
namespace Dht.Protocol.Krpc;

/// <summary>The KRPC keys of BEP 5, BEP 32, BEP 33 and BEP 44.</summary>
internal static class KrpcKeys
{
    /// <summary>BEP 44 <c>cas</c>: the sequence number a put expects to replace.</summary>
    public static readonly KrpcKey Cas = KrpcKey.Integer("cas", field: KrpcFields.Cas);

    /// <summary>The sender's node id, in every query and response.</summary>
    public static readonly KrpcKey Id = KrpcKey.NodeId("id", inEveryBody: true, field: KrpcFields.Id);

    /// <summary>BEP 5 <c>implied_port</c>: use the UDP source port.</summary>
    public static readonly KrpcKey ImpliedPort = KrpcKey.Flag("implied_port", field: KrpcFields.ImpliedPort);

    /// <summary>BEP 5 <c>info_hash</c>.</summary>
    public static readonly KrpcKey InfoHash = KrpcKey.NodeId("info_hash", field: KrpcFields.InfoHash);

    /// <summary>BEP 44 <c>k</c>: an ed25519 public key.</summary>
    public static readonly KrpcKey Key = KrpcKey.String("k", minLength: 32, maxLength: 32, field: KrpcFields.Key);

    /// <summary>BEP 5 <c>nodes</c>: compact IPv4 node infos.</summary>
    public static readonly KrpcKey Nodes = KrpcKey.String("nodes", lengthMultiple: CompactEncoding.NodeV4Size, field: KrpcFields.Nodes);

    /// <summary>BEP 32 <c>nodes6</c>: compact IPv6 node infos.</summary>
    public static readonly KrpcKey Nodes6 = KrpcKey.String("nodes6", lengthMultiple: CompactEncoding.NodeV6Size, field: KrpcFields.Nodes6);

    /// <summary>BEP 5 <c>port</c>.</summary>
    public static readonly KrpcKey Port = KrpcKey.Integer("port", minValue: 0, maxValue: ushort.MaxValue, field: KrpcFields.Port);

    /// <summary>BEP 44 <c>salt</c>.</summary>
    public static readonly KrpcKey Salt = KrpcKey.String("salt", field: KrpcFields.Salt);

    /// <summary>BEP 33 <c>seed</c>.</summary>
    public static readonly KrpcKey Seed = KrpcKey.Flag("seed", field: KrpcFields.Seed);

    /// <summary>BEP 44 <c>seq</c>.</summary>
    public static readonly KrpcKey Seq = KrpcKey.Integer("seq", minValue: 0, field: KrpcFields.Seq);

    /// <summary>BEP 44 <c>sig</c>: an ed25519 signature.</summary>
    public static readonly KrpcKey Signature = KrpcKey.String("sig", minLength: 64, maxLength: 64, field: KrpcFields.Signature);

    /// <summary>BEP 5 / BEP 44 <c>target</c>.</summary>
    public static readonly KrpcKey Target = KrpcKey.NodeId("target", field: KrpcFields.Target);

    /// <summary>BEP 5 / BEP 44 write <c>token</c>.</summary>
    public static readonly KrpcKey Token = KrpcKey.String("token", maxLength: KrpcParser.MaxTokenLength, field: KrpcFields.Token);

    /// <summary>BEP 44 <c>v</c>: any bencoded value, kept encoded.</summary>
    public static readonly KrpcKey Value = KrpcKey.Encoded("v", KrpcValueType.Any, field: KrpcFields.Value);

    /// <summary>BEP 5 <c>values</c>: a list of compact peer infos, kept encoded.</summary>
    public static readonly KrpcKey Values = KrpcKey.Encoded("values", KrpcValueType.StringList, field: KrpcFields.Values);

    /// <summary>BEP 32 <c>want</c>: a list of address families, kept encoded.</summary>
    public static readonly KrpcKey Want = KrpcKey.Encoded("want", KrpcValueType.List, field: KrpcFields.Want);

    /// <summary>The table, in bencode byte order.</summary>
    public static IReadOnlyList<KrpcKey> All { get; } =
    [
        Cas, Id, ImpliedPort, InfoHash, Key, Nodes, Nodes6, Port, Salt, Seed, Seq, Signature, Target, Token, Value, Values, Want,
    ];
}
