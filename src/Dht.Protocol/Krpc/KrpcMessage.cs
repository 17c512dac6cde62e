// One KRPC message (query, response or error) as typed fields over the datagram's bytes.
//
// The same type is decoded into and encoded from. Byte fields are slices of the buffer the message was
// parsed from (nothing is copied), so a message is valid only while that buffer is: the packet path
// reuses one instance per node and copies out only what it keeps. Lists ("values", "want") and BEP 44's
// "v" stay in their encoded form; KrpcLists reads them on demand.
//
// The values of the "a" / "r" keys live in four small tables, one per kind of value, at the slot each key
// took when it was made (KrpcKey.Slot): the parser and the writer index them, the typed views (Messages/,
// NamedValues/) read and set them through the key (Get/Set), and a new key needs nothing here. The core keys'
// properties below are the same slots under the names older code reads.
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Dht.Protocol.Krpc;

/// <summary>A KRPC message: the envelope (t, y, q, e, v, ip, ro) and the arguments or return values.</summary>
internal sealed class KrpcMessage
{
    private NodeId[] _ids;
    private ReadOnlyMemory<byte>[] _bytes;
    private long[] _integers;
    private bool[] _flags;

    /// <summary>An empty message, with room for every key made so far (a key made later gets room when first used).</summary>
    public KrpcMessage()
    {
        // The default schema's keys first, so that their slots are counted.
        _ = KrpcSchema.Default;
        _ids = new NodeId[KrpcKey.SlotCount(KrpcValueKind.NodeId)];
        _bytes = new ReadOnlyMemory<byte>[KrpcKey.SlotCount(KrpcValueKind.Bytes)];
        _integers = new long[KrpcKey.SlotCount(KrpcValueKind.Integer)];
        _flags = new bool[KrpcKey.SlotCount(KrpcValueKind.Flag)];
    }

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
    public NodeId Id { get => IdSlot(KrpcKeys.Id.Slot); set => IdSlot(KrpcKeys.Id.Slot) = value; }

    /// <summary><c>target</c> (find_node, BEP 44 get, find_value, store).</summary>
    public NodeId Target { get => IdSlot(KrpcKeys.Target.Slot); set => IdSlot(KrpcKeys.Target.Slot) = value; }

    /// <summary><c>info_hash</c> (get_peers, announce_peer).</summary>
    public NodeId InfoHash { get => IdSlot(KrpcKeys.InfoHash.Slot); set => IdSlot(KrpcKeys.InfoHash.Slot) = value; }

    /// <summary>Write token.</summary>
    public ReadOnlyMemory<byte> Token { get => BytesSlot(KrpcKeys.Token.Slot); set => BytesSlot(KrpcKeys.Token.Slot) = value; }

    /// <summary><c>port</c> (announce_peer).</summary>
    public long Port { get => IntegerSlot(KrpcKeys.Port.Slot); set => IntegerSlot(KrpcKeys.Port.Slot) = value; }

    /// <summary><c>implied_port</c> (announce_peer): use the UDP source port.</summary>
    public bool ImpliedPort { get => FlagSlot(KrpcKeys.ImpliedPort.Slot); set => FlagSlot(KrpcKeys.ImpliedPort.Slot) = value; }

    /// <summary>BEP 33 <c>seed</c> flag of announce_peer.</summary>
    public bool Seed { get => FlagSlot(KrpcKeys.Seed.Slot); set => FlagSlot(KrpcKeys.Seed.Slot) = value; }

    /// <summary>Compact IPv4 node infos (<c>nodes</c>).</summary>
    public ReadOnlyMemory<byte> Nodes { get => BytesSlot(KrpcKeys.Nodes.Slot); set => BytesSlot(KrpcKeys.Nodes.Slot) = value; }

    /// <summary>Compact IPv6 node infos (<c>nodes6</c>, BEP 32).</summary>
    public ReadOnlyMemory<byte> Nodes6 { get => BytesSlot(KrpcKeys.Nodes6.Slot); set => BytesSlot(KrpcKeys.Nodes6.Slot) = value; }

    /// <summary>Encoded list of compact peer infos (<c>values</c>).</summary>
    public ReadOnlyMemory<byte> Values { get => BytesSlot(KrpcKeys.Values.Slot); set => BytesSlot(KrpcKeys.Values.Slot) = value; }

    /// <summary>Encoded list of wanted address families (<c>want</c>, BEP 32).</summary>
    public ReadOnlyMemory<byte> Want { get => BytesSlot(KrpcKeys.Want.Slot); set => BytesSlot(KrpcKeys.Want.Slot) = value; }

    /// <summary>BEP 44 / named value <c>v</c>, in its encoded form (any bencoded value).</summary>
    public ReadOnlyMemory<byte> Value { get => BytesSlot(KrpcKeys.Value.Slot); set => BytesSlot(KrpcKeys.Value.Slot) = value; }

    /// <summary>Sequence number (<c>seq</c>).</summary>
    public long Seq { get => IntegerSlot(KrpcKeys.Seq.Slot); set => IntegerSlot(KrpcKeys.Seq.Slot) = value; }

    /// <summary>BEP 44 compare-and-swap sequence (<c>cas</c>).</summary>
    public long Cas { get => IntegerSlot(KrpcKeys.Cas.Slot); set => IntegerSlot(KrpcKeys.Cas.Slot) = value; }

    /// <summary>BEP 44 ed25519 public key (<c>k</c>, 32 bytes).</summary>
    public ReadOnlyMemory<byte> Key { get => BytesSlot(KrpcKeys.Key.Slot); set => BytesSlot(KrpcKeys.Key.Slot) = value; }

    /// <summary>BEP 44 ed25519 signature (<c>sig</c>, 64 bytes).</summary>
    public ReadOnlyMemory<byte> Signature { get => BytesSlot(KrpcKeys.Signature.Slot); set => BytesSlot(KrpcKeys.Signature.Slot) = value; }

    /// <summary>BEP 44 salt.</summary>
    public ReadOnlyMemory<byte> Salt { get => BytesSlot(KrpcKeys.Salt.Slot); set => BytesSlot(KrpcKeys.Salt.Slot) = value; }

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
        Array.Clear(_ids);
        Array.Clear(_bytes);
        Array.Clear(_integers);
        Array.Clear(_flags);
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
    public NodeId GetId(KrpcKey key)
    {
        Debug.Assert(key.Kind == KrpcValueKind.NodeId, "a node-id key");
        return IdSlot(key.Slot);
    }

    /// <summary>The value of a string or encoded key (empty when absent).</summary>
    public ReadOnlyMemory<byte> GetBytes(KrpcKey key)
    {
        Debug.Assert(key.Kind == KrpcValueKind.Bytes, "a string or encoded key");
        return BytesSlot(key.Slot);
    }

    /// <summary>The value of an integer key (0 when absent).</summary>
    public long GetInteger(KrpcKey key)
    {
        Debug.Assert(key.Kind == KrpcValueKind.Integer, "an integer key");
        return IntegerSlot(key.Slot);
    }

    /// <summary>The value of a flag key (false when absent).</summary>
    public bool GetFlag(KrpcKey key)
    {
        Debug.Assert(key.Kind == KrpcValueKind.Flag, "a flag key");
        return FlagSlot(key.Slot);
    }

    /// <summary>Sets a node-id key and marks it present.</summary>
    public void Set(KrpcKey key, NodeId value)
    {
        Debug.Assert(key.Kind == KrpcValueKind.NodeId, "a key of the value's kind");
        IdSlot(key.Slot) = value;
        Fields |= key.Field;
    }

    /// <summary>Sets a string or encoded key and marks it present; the bytes must outlive the message's write.</summary>
    public void Set(KrpcKey key, ReadOnlyMemory<byte> value)
    {
        Debug.Assert(key.Kind == KrpcValueKind.Bytes, "a key of the value's kind");
        BytesSlot(key.Slot) = value;
        Fields |= key.Field;
    }

    /// <summary>Sets an integer key and marks it present.</summary>
    public void Set(KrpcKey key, long value)
    {
        Debug.Assert(key.Kind == KrpcValueKind.Integer, "a key of the value's kind");
        IntegerSlot(key.Slot) = value;
        Fields |= key.Field;
    }

    /// <summary>Sets a flag key and marks it present.</summary>
    public void Set(KrpcKey key, bool value)
    {
        Debug.Assert(key.Kind == KrpcValueKind.Flag, "a key of the value's kind");
        FlagSlot(key.Slot) = value;
        Fields |= key.Field;
    }

    // The slot accessors run for every key of every datagram: the common case (the key's slot exists) is an
    // inlined index; a key made after this message was gets its room in a call of its own.

    /// <summary>The node id at <paramref name="slot"/> (a key's <see cref="KrpcKey.Slot"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref NodeId IdSlot(int slot)
    {
        var table = _ids;
        return ref (uint)slot < (uint)table.Length ? ref table[slot] : ref Grow(ref _ids, slot);
    }

    /// <summary>The byte string or encoded value at <paramref name="slot"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref ReadOnlyMemory<byte> BytesSlot(int slot)
    {
        var table = _bytes;
        return ref (uint)slot < (uint)table.Length ? ref table[slot] : ref Grow(ref _bytes, slot);
    }

    /// <summary>The integer at <paramref name="slot"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref long IntegerSlot(int slot)
    {
        var table = _integers;
        return ref (uint)slot < (uint)table.Length ? ref table[slot] : ref Grow(ref _integers, slot);
    }

    /// <summary>The boolean at <paramref name="slot"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref bool FlagSlot(int slot)
    {
        var table = _flags;
        return ref (uint)slot < (uint)table.Length ? ref table[slot] : ref Grow(ref _flags, slot);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ref T Grow<T>(ref T[] table, int slot)
    {
        Array.Resize(ref table, slot + 1);
        return ref table[slot];
    }
}
