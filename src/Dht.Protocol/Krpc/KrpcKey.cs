// One row of the KRPC key table: a key of the "a" or "r" dictionary with its type, its limits and where its
// value lives in a KrpcMessage. The parser checks a value against the row and stores it; the writer reads it
// back and writes it; neither knows any key by name. A value that breaks the row's limits is refused with
// "invalid <name>", sent back in error 203 (libtorrent's key_desc_t does the same job in verify_message).
//
// Strings and lists are slices of the datagram, never copies; the accessors are static lambdas, so reading
// and writing a key allocates nothing.
using System.Text;
using Dht.Protocol.Bencode;

namespace Dht.Protocol.Krpc;

/// <summary>The description of one KRPC argument or return-value key.</summary>
public sealed class KrpcKey
{
    private readonly byte[] _name;
    private readonly string _invalid;
    private readonly Func<KrpcMessage, NodeId>? _getId;
    private readonly Action<KrpcMessage, NodeId>? _setId;
    private readonly Func<KrpcMessage, ReadOnlyMemory<byte>>? _getBytes;
    private readonly Action<KrpcMessage, ReadOnlyMemory<byte>>? _setBytes;
    private readonly Func<KrpcMessage, long>? _getInteger;
    private readonly Action<KrpcMessage, long>? _setInteger;

    private KrpcKey(
        string name,
        KrpcFields field,
        KrpcValueType type,
        Func<KrpcMessage, NodeId>? getId = null,
        Action<KrpcMessage, NodeId>? setId = null,
        Func<KrpcMessage, ReadOnlyMemory<byte>>? getBytes = null,
        Action<KrpcMessage, ReadOnlyMemory<byte>>? setBytes = null,
        Func<KrpcMessage, long>? getInteger = null,
        Action<KrpcMessage, long>? setInteger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (field == KrpcFields.None || !ulong.IsPow2((ulong)field))
        {
            throw new ArgumentException("A key stands for exactly one field flag.", nameof(field));
        }

        Name = name;
        _name = Encoding.UTF8.GetBytes(name);
        _invalid = "invalid " + name;
        Field = field;
        Type = type;
        _getId = getId;
        _setId = setId;
        _getBytes = getBytes;
        _setBytes = setBytes;
        _getInteger = getInteger;
        _setInteger = setInteger;
    }

    /// <summary>The key as written on the wire.</summary>
    public string Name { get; }

    /// <summary>The key's UTF-8 bytes, the form it is matched and written in.</summary>
    public ReadOnlySpan<byte> Utf8Name => _name;

    /// <summary>The presence flag the key sets in <see cref="KrpcMessage.Fields"/>.</summary>
    public KrpcFields Field { get; }

    /// <summary>The value's type.</summary>
    public KrpcValueType Type { get; }

    /// <summary>For strings: the shortest length accepted.</summary>
    public int MinLength { get; private init; }

    /// <summary>For strings: the longest length accepted.</summary>
    public int MaxLength { get; private init; } = int.MaxValue;

    /// <summary>For strings: the length must be a multiple of this (compact node lists).</summary>
    public int LengthMultiple { get; private init; } = 1;

    /// <summary>For integers: the smallest value accepted.</summary>
    public long MinValue { get; private init; } = long.MinValue;

    /// <summary>For integers: the largest value accepted.</summary>
    public long MaxValue { get; private init; } = long.MaxValue;

    /// <summary>True for the key every argument and return-value dictionary must carry (the sender's <c>id</c>).</summary>
    public bool InEveryBody { get; private init; }

    /// <summary>The reason sent back in error 203 when the value breaks this description.</summary>
    public string InvalidReason => _invalid;

    /// <summary>A 20-byte node id or info hash.</summary>
    public static KrpcKey NodeId(
        string name, KrpcFields field, Func<KrpcMessage, NodeId> get, Action<KrpcMessage, NodeId> set, bool inEveryBody = false) =>
        new(name, field, KrpcValueType.NodeId, getId: get, setId: set) { InEveryBody = inEveryBody };

    /// <summary>A byte string whose length is within [<paramref name="minLength"/>, <paramref name="maxLength"/>] and a multiple of <paramref name="lengthMultiple"/>.</summary>
    public static KrpcKey String(
        string name,
        KrpcFields field,
        Func<KrpcMessage, ReadOnlyMemory<byte>> get,
        Action<KrpcMessage, ReadOnlyMemory<byte>> set,
        int minLength = 0,
        int maxLength = int.MaxValue,
        int lengthMultiple = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, minLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(lengthMultiple, 1);
        return new(name, field, KrpcValueType.String, getBytes: get, setBytes: set)
        {
            MinLength = minLength,
            MaxLength = maxLength,
            LengthMultiple = lengthMultiple,
        };
    }

    /// <summary>An integer within [<paramref name="minValue"/>, <paramref name="maxValue"/>].</summary>
    public static KrpcKey Integer(
        string name,
        KrpcFields field,
        Func<KrpcMessage, long> get,
        Action<KrpcMessage, long> set,
        long minValue = long.MinValue,
        long maxValue = long.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxValue, minValue);
        return new(name, field, KrpcValueType.Integer, getInteger: get, setInteger: set) { MinValue = minValue, MaxValue = maxValue };
    }

    /// <summary>An integer read as a boolean.</summary>
    public static KrpcKey Flag(string name, KrpcFields field, Func<KrpcMessage, bool> get, Action<KrpcMessage, bool> set)
    {
        ArgumentNullException.ThrowIfNull(get);
        ArgumentNullException.ThrowIfNull(set);
        return new(name, field, KrpcValueType.Flag, getInteger: m => get(m) ? 1 : 0, setInteger: (m, v) => set(m, v != 0));
    }

    /// <summary>
    /// A value kept in its encoded form: <see cref="KrpcValueType.List"/>, <see cref="KrpcValueType.StringList"/>
    /// or <see cref="KrpcValueType.Any"/>.
    /// </summary>
    public static KrpcKey Encoded(
        string name, KrpcFields field, KrpcValueType type, Func<KrpcMessage, ReadOnlyMemory<byte>> get, Action<KrpcMessage, ReadOnlyMemory<byte>> set)
    {
        if (type is not (KrpcValueType.List or KrpcValueType.StringList or KrpcValueType.Any))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "Only lists and any-value keys are kept encoded.");
        }

        return new(name, field, type, getBytes: get, setBytes: set);
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>
    /// Checks the value <paramref name="reader"/> is on against this description and stores it in
    /// <paramref name="m"/>. <paramref name="offset"/> is where the reader's input starts in <paramref name="datagram"/>.
    /// </summary>
    internal KrpcParseResult Read(ref BencodeReader reader, ReadOnlyMemory<byte> datagram, int offset, KrpcMessage m)
    {
        var token = reader.TokenType;
        switch (Type)
        {
            case KrpcValueType.NodeId:
                if (token != BencodeTokenType.String || reader.ValueSpan.Length != Protocol.NodeId.Size)
                {
                    return KrpcParseResult.Malformed(_invalid);
                }

                _setId!(m, new NodeId(reader.ValueSpan));
                break;
            case KrpcValueType.String:
                {
                    int length = reader.ValueSpan.Length;
                    if (token != BencodeTokenType.String || length < MinLength || length > MaxLength || length % LengthMultiple != 0)
                    {
                        return KrpcParseResult.Malformed(_invalid);
                    }

                    _setBytes!(m, datagram.Slice(offset + reader.Position - length, length));
                    break;
                }

            case KrpcValueType.Integer:
                if (token != BencodeTokenType.Integer || reader.IntegerValue < MinValue || reader.IntegerValue > MaxValue)
                {
                    return KrpcParseResult.Malformed(_invalid);
                }

                _setInteger!(m, reader.IntegerValue);
                break;
            case KrpcValueType.Flag:
                if (token != BencodeTokenType.Integer)
                {
                    return KrpcParseResult.Malformed(_invalid);
                }

                _setInteger!(m, reader.IntegerValue);
                break;
            case KrpcValueType.StringList:
                {
                    if (token != BencodeTokenType.StartList)
                    {
                        return KrpcParseResult.Malformed(_invalid);
                    }

                    int start = reader.TokenStart;
                    while (reader.Read() && reader.TokenType != BencodeTokenType.End)
                    {
                        if (reader.TokenType != BencodeTokenType.String)
                        {
                            return KrpcParseResult.Malformed(_invalid);
                        }
                    }

                    if (reader.HasError)
                    {
                        return KrpcParser.Invalid(ref reader);
                    }

                    _setBytes!(m, datagram.Slice(offset + start, reader.Position - start));
                    break;
                }

            default:
                {
                    if (Type == KrpcValueType.List && token != BencodeTokenType.StartList)
                    {
                        return KrpcParseResult.Malformed(_invalid);
                    }

                    int start = reader.TokenStart;
                    if (!reader.Skip())
                    {
                        return KrpcParser.Invalid(ref reader);
                    }

                    _setBytes!(m, datagram.Slice(offset + start, reader.Position - start));
                    break;
                }
        }

        m.Fields |= Field;
        return KrpcParseResult.Ok;
    }

    /// <summary>Writes the key and the value <paramref name="m"/> holds for it.</summary>
    internal void Write(KrpcMessage m, BencodeWriter w)
    {
        w.WriteKey(_name);
        switch (Type)
        {
            case KrpcValueType.NodeId:
                w.WriteNodeId(_getId!(m));
                break;
            case KrpcValueType.String:
                w.WriteString(_getBytes!(m).Span);
                break;
            case KrpcValueType.Integer:
            case KrpcValueType.Flag:
                w.WriteInteger(_getInteger!(m));
                break;
            default:
                w.WriteRaw(_getBytes!(m).Span);
                break;
        }
    }
}
