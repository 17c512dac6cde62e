// One KRPC message (query, response or error) as typed fields over the datagram's bytes.
//
// The same type is decoded into and encoded from. Byte fields are slices of the buffer the message was
// parsed from (nothing is copied), so a message is valid only while that buffer is: the packet path
// reuses one instance per node and copies out only what it keeps. Lists ("values", "want") and BEP 44's
// "v" stay in their encoded form; KrpcLists reads them on demand.
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Dht.Protocol.Krpc;

/// <summary>A KRPC message: the envelope (t, y, q, e, v, ip, ro) and the arguments or return values.</summary>
internal sealed class KrpcMessage
{
    // The values of the "a" / "r" keys, behind the properties below and reached by KrpcKey through the
    // slot methods at the end: a switch on the key's flag, not a delegate per key, since the slot is found
    // for every key of every datagram.
    private NodeId _id;
    private NodeId _target;
    private NodeId _infoHash;
    private ReadOnlyMemory<byte> _token;
    private long _port;
    private bool _impliedPort;
    private bool _seed;
    private ReadOnlyMemory<byte> _nodes;
    private ReadOnlyMemory<byte> _nodes6;
    private ReadOnlyMemory<byte> _values;
    private ReadOnlyMemory<byte> _want;
    private ReadOnlyMemory<byte> _value;
    private long _seq;
    private long _cas;
    private ReadOnlyMemory<byte> _key;
    private ReadOnlyMemory<byte> _signature;
    private ReadOnlyMemory<byte> _salt;
    private long _ttl;

    /// <summary>Query, response or error.</summary>
    public KrpcMessageKind Kind { get; set; }

    /// <summary>The transaction id (<c>t</c>), echoed in the reply.</summary>
    public ReadOnlyMemory<byte> TransactionId { get; set; }

    /// <summary>
    /// For queries: the method (<c>q</c>). A reply being built may name the method it answers (not written): the
    /// writer then refuses a key that method's response does not list.
    /// </summary>
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
    public NodeId Id { get => _id; set => _id = value; }

    /// <summary><c>target</c> (find_node, BEP 44 get, find_value, store).</summary>
    public NodeId Target { get => _target; set => _target = value; }

    /// <summary><c>info_hash</c> (get_peers, announce_peer).</summary>
    public NodeId InfoHash { get => _infoHash; set => _infoHash = value; }

    /// <summary>Write token.</summary>
    public ReadOnlyMemory<byte> Token { get => _token; set => _token = value; }

    /// <summary><c>port</c> (announce_peer).</summary>
    public long Port { get => _port; set => _port = value; }

    /// <summary><c>implied_port</c> (announce_peer): use the UDP source port.</summary>
    public bool ImpliedPort { get => _impliedPort; set => _impliedPort = value; }

    /// <summary>BEP 33 <c>seed</c> flag of announce_peer.</summary>
    public bool Seed { get => _seed; set => _seed = value; }

    /// <summary>Compact IPv4 node infos (<c>nodes</c>).</summary>
    public ReadOnlyMemory<byte> Nodes { get => _nodes; set => _nodes = value; }

    /// <summary>Compact IPv6 node infos (<c>nodes6</c>, BEP 32).</summary>
    public ReadOnlyMemory<byte> Nodes6 { get => _nodes6; set => _nodes6 = value; }

    /// <summary>Encoded list of compact peer infos (<c>values</c>).</summary>
    public ReadOnlyMemory<byte> Values { get => _values; set => _values = value; }

    /// <summary>Encoded list of wanted address families (<c>want</c>, BEP 32).</summary>
    public ReadOnlyMemory<byte> Want { get => _want; set => _want = value; }

    /// <summary>BEP 44 / named value <c>v</c>, in its encoded form (any bencoded value).</summary>
    public ReadOnlyMemory<byte> Value { get => _value; set => _value = value; }

    /// <summary>Sequence number (<c>seq</c>).</summary>
    public long Seq { get => _seq; set => _seq = value; }

    /// <summary>BEP 44 compare-and-swap sequence (<c>cas</c>).</summary>
    public long Cas { get => _cas; set => _cas = value; }

    /// <summary>BEP 44 ed25519 public key (<c>k</c>, 32 bytes).</summary>
    public ReadOnlyMemory<byte> Key { get => _key; set => _key = value; }

    /// <summary>BEP 44 ed25519 signature (<c>sig</c>, 64 bytes).</summary>
    public ReadOnlyMemory<byte> Signature { get => _signature; set => _signature = value; }

    /// <summary>BEP 44 salt.</summary>
    public ReadOnlyMemory<byte> Salt { get => _salt; set => _salt = value; }

    /// <summary>Named values: requested lifetime in seconds (<c>ttl</c>).</summary>
    public long Ttl { get => _ttl; set => _ttl = value; }

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

    /// <summary>True when the message carries <paramref name="key"/>.</summary>
    public bool Has(KrpcKey key) => (Fields & key.Field) != 0;

    /// <summary>The value of a node-id key (default when absent).</summary>
    public NodeId GetId(KrpcKey key) => IdSlot(key.Field);

    /// <summary>The value of a string or encoded key (empty when absent).</summary>
    public ReadOnlyMemory<byte> GetBytes(KrpcKey key) => BytesSlot(key.Field);

    /// <summary>The value of an integer key (0 when absent).</summary>
    public long GetInteger(KrpcKey key) => IntegerSlot(key.Field);

    /// <summary>The value of a flag key (false when absent).</summary>
    public bool GetFlag(KrpcKey key) => FlagSlot(key.Field);

    /// <summary>Sets a node-id key and marks it present.</summary>
    public void Set(KrpcKey key, NodeId value)
    {
        IdSlot(key.Field) = value;
        Fields |= key.Field;
    }

    /// <summary>Sets a string or encoded key and marks it present; the bytes must outlive the message's write.</summary>
    public void Set(KrpcKey key, ReadOnlyMemory<byte> value)
    {
        BytesSlot(key.Field) = value;
        Fields |= key.Field;
    }

    /// <summary>Sets an integer key and marks it present.</summary>
    public void Set(KrpcKey key, long value)
    {
        IntegerSlot(key.Field) = value;
        Fields |= key.Field;
    }

    /// <summary>Sets a flag key and marks it present.</summary>
    public void Set(KrpcKey key, bool value)
    {
        FlagSlot(key.Field) = value;
        Fields |= key.Field;
    }

    /// <summary>Where the node id of the key with presence flag <paramref name="field"/> lives.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref NodeId IdSlot(KrpcFields field)
    {
        switch (field)
        {
            case KrpcFields.Id:
                return ref _id;
            case KrpcFields.Target:
                return ref _target;
            case KrpcFields.InfoHash:
                return ref _infoHash;
            default:
                return ref NoSlot<NodeId>(field);
        }
    }

    /// <summary>Where the string or encoded value of the key with presence flag <paramref name="field"/> lives.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref ReadOnlyMemory<byte> BytesSlot(KrpcFields field)
    {
        switch (field)
        {
            case KrpcFields.Token:
                return ref _token;
            case KrpcFields.Nodes:
                return ref _nodes;
            case KrpcFields.Nodes6:
                return ref _nodes6;
            case KrpcFields.Values:
                return ref _values;
            case KrpcFields.Want:
                return ref _want;
            case KrpcFields.Value:
                return ref _value;
            case KrpcFields.Key:
                return ref _key;
            case KrpcFields.Signature:
                return ref _signature;
            case KrpcFields.Salt:
                return ref _salt;
            default:
                return ref NoSlot<ReadOnlyMemory<byte>>(field);
        }
    }

    /// <summary>Where the integer of the key with presence flag <paramref name="field"/> lives.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref long IntegerSlot(KrpcFields field)
    {
        switch (field)
        {
            case KrpcFields.Port:
                return ref _port;
            case KrpcFields.Seq:
                return ref _seq;
            case KrpcFields.Cas:
                return ref _cas;
            case KrpcFields.Ttl:
                return ref _ttl;
            default:
                return ref NoSlot<long>(field);
        }
    }

    /// <summary>Where the boolean of the key with presence flag <paramref name="field"/> lives.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref bool FlagSlot(KrpcFields field)
    {
        switch (field)
        {
            case KrpcFields.ImpliedPort:
                return ref _impliedPort;
            case KrpcFields.Seed:
                return ref _seed;
            default:
                return ref NoSlot<bool>(field);
        }
    }

    [DoesNotReturn]
    private static ref T NoSlot<T>(KrpcFields field) =>
        throw new ArgumentOutOfRangeException(nameof(field), field, $"KrpcMessage has no {typeof(T).Name} value for this field.");
}
