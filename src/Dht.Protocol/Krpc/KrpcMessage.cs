// One KRPC message (query, response or error) as typed fields over the datagram's bytes.
//
// The same type is decoded into and encoded from. Byte fields are slices of the buffer the message was
// parsed from (nothing is copied), so a message is valid only while that buffer is: the packet path
// reuses one instance per node and copies out only what it keeps. Lists ("values", "want") and BEP 44's
// "v" stay in their encoded form; KrpcLists reads them on demand.
namespace Dht.Protocol.Krpc;

/// <summary>A KRPC message: the envelope (t, y, q, e, v, ip, ro) and the arguments or return values.</summary>
internal sealed class KrpcMessage
{
    /// <summary>Query, response or error.</summary>
    public KrpcMessageKind Kind { get; set; }

    /// <summary>The transaction id (<c>t</c>), echoed in the reply.</summary>
    public ReadOnlyMemory<byte> TransactionId { get; set; }

    /// <summary>For queries: the method (<c>q</c>).</summary>
    public KrpcMethod Method { get; set; }

    /// <summary>Which optional fields are present.</summary>
    public KrpcFields Fields { get; set; }

    /// <summary>Client version (top-level <c>v</c>, usually 2 letters and 2 version bytes).</summary>
    public ReadOnlyMemory<byte> ClientVersion { get; set; }

    /// <summary>BEP 42: the requester's address as the responder sees it (top-level <c>ip</c>, compact peer form).</summary>
    public ReadOnlyMemory<byte> ExternalAddress { get; set; }

    /// <summary>For errors: the code.</summary>
    public int ErrorCode { get; set; }

    /// <summary>For errors: the message text (UTF-8).</summary>
    public ReadOnlyMemory<byte> ErrorMessage { get; set; }

    /// <summary>The sender's node id (<c>id</c>).</summary>
    public NodeId Id { get; set; }

    /// <summary><c>target</c> (find_node, BEP 44 get, find_value, store).</summary>
    public NodeId Target { get; set; }

    /// <summary><c>info_hash</c> (get_peers, announce_peer).</summary>
    public NodeId InfoHash { get; set; }

    /// <summary>Write token.</summary>
    public ReadOnlyMemory<byte> Token { get; set; }

    /// <summary><c>port</c> (announce_peer).</summary>
    public long Port { get; set; }

    /// <summary><c>implied_port</c> (announce_peer): use the UDP source port.</summary>
    public bool ImpliedPort { get; set; }

    /// <summary>BEP 33 <c>seed</c> flag of announce_peer.</summary>
    public bool Seed { get; set; }

    /// <summary>Compact IPv4 node infos (<c>nodes</c>).</summary>
    public ReadOnlyMemory<byte> Nodes { get; set; }

    /// <summary>Compact IPv6 node infos (<c>nodes6</c>, BEP 32).</summary>
    public ReadOnlyMemory<byte> Nodes6 { get; set; }

    /// <summary>Encoded list of compact peer infos (<c>values</c>).</summary>
    public ReadOnlyMemory<byte> Values { get; set; }

    /// <summary>Encoded list of wanted address families (<c>want</c>, BEP 32).</summary>
    public ReadOnlyMemory<byte> Want { get; set; }

    /// <summary>BEP 44 / named value <c>v</c>, in its encoded form (any bencoded value).</summary>
    public ReadOnlyMemory<byte> Value { get; set; }

    /// <summary>Sequence number (<c>seq</c>).</summary>
    public long Seq { get; set; }

    /// <summary>BEP 44 compare-and-swap sequence (<c>cas</c>).</summary>
    public long Cas { get; set; }

    /// <summary>BEP 44 ed25519 public key (<c>k</c>, 32 bytes).</summary>
    public ReadOnlyMemory<byte> Key { get; set; }

    /// <summary>BEP 44 ed25519 signature (<c>sig</c>, 64 bytes).</summary>
    public ReadOnlyMemory<byte> Signature { get; set; }

    /// <summary>BEP 44 salt.</summary>
    public ReadOnlyMemory<byte> Salt { get; set; }

    /// <summary>Named values: requested lifetime in seconds (<c>ttl</c>).</summary>
    public long Ttl { get; set; }

    /// <summary>BEP 43: the sender is a read-only node (top-level <c>ro = 1</c>); not added to routing tables.</summary>
    public bool ReadOnly
    {
        get => Has(KrpcFields.ReadOnly);
        set => Fields = value ? Fields | KrpcFields.ReadOnly : Fields & ~KrpcFields.ReadOnly;
    }

    /// <summary>True when every flag in <paramref name="fields"/> is present.</summary>
    public bool Has(KrpcFields fields) => (Fields & fields) == fields;

    /// <summary>Clears every field so the instance can be reused.</summary>
    public void Reset()
    {
        Kind = KrpcMessageKind.None;
        TransactionId = default;
        Method = KrpcMethod.Unknown;
        Fields = KrpcFields.None;
        ClientVersion = default;
        ExternalAddress = default;
        ErrorCode = 0;
        ErrorMessage = default;
        Id = default;
        Target = default;
        InfoHash = default;
        Token = default;
        Port = 0;
        ImpliedPort = false;
        Seed = false;
        Nodes = default;
        Nodes6 = default;
        Values = default;
        Want = default;
        Value = default;
        Seq = 0;
        Cas = 0;
        Key = default;
        Signature = default;
        Salt = default;
        Ttl = 0;
    }

    /// <summary>Sets a field's presence flag (used by the builders).</summary>
    public KrpcMessage With(KrpcFields fields)
    {
        Fields |= fields;
        return this;
    }
}
