// One row of the KRPC key table: a key of the "a" or "r" dictionary with its type, its limits and where its
// value lives in a KrpcMessage. The parser checks a value against the row and stores it; the writer reads it
// back and writes it; neither knows any key by name. A value that breaks the row's limits is refused with
// "invalid <name>", sent back in error 203 (libtorrent's key_desc_t does the same job in verify_message).
//
// Strings and lists are slices of the datagram, never copies. A value lives in the KrpcMessage property the
// key's flag names (KrpcMessage's slot methods), so reading and writing a key allocates nothing.
using System.Text;
using Dht.Protocol.Bencode;

namespace Dht.Protocol.Krpc;

/// <summary>The description of one KRPC argument or return-value key.</summary>
internal sealed class KrpcKey
{
    private readonly byte[] _name;
    private readonly byte[] _encodedName;
    private readonly string _invalid;

    private KrpcKey(string name, KrpcFields field, KrpcValueType type)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (field == KrpcFields.None || !ulong.IsPow2((ulong)field))
        {
            throw new ArgumentException("A key stands for exactly one field flag.", nameof(field));
        }

        Name = name;
        _name = Encoding.UTF8.GetBytes(name);
        _encodedName = [.. Encoding.ASCII.GetBytes($"{_name.Length}:"), .. _name];
        _invalid = "invalid " + name;
        Field = field;
        Type = type;

        // A field with no home of this type in KrpcMessage is a programmer error: fail here, not per datagram.
        var probe = new KrpcMessage();
        switch (type)
        {
            case KrpcValueType.NodeId:
                _ = probe.IdSlot(field);
                break;
            case KrpcValueType.Integer:
                _ = probe.IntegerSlot(field);
                break;
            case KrpcValueType.Flag:
                _ = probe.FlagSlot(field);
                break;
            default:
                _ = probe.BytesSlot(field);
                break;
        }
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
    public static KrpcKey NodeId(string name, KrpcFields field, bool inEveryBody = false) =>
        new(name, field, KrpcValueType.NodeId) { InEveryBody = inEveryBody };

    /// <summary>A byte string whose length is within [<paramref name="minLength"/>, <paramref name="maxLength"/>] and a multiple of <paramref name="lengthMultiple"/>.</summary>
    public static KrpcKey String(string name, KrpcFields field, int minLength = 0, int maxLength = int.MaxValue, int lengthMultiple = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, minLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(lengthMultiple, 1);
        return new(name, field, KrpcValueType.String)
        {
            MinLength = minLength,
            MaxLength = maxLength,
            LengthMultiple = lengthMultiple,
        };
    }

    /// <summary>An integer within [<paramref name="minValue"/>, <paramref name="maxValue"/>].</summary>
    public static KrpcKey Integer(string name, KrpcFields field, long minValue = long.MinValue, long maxValue = long.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxValue, minValue);
        return new(name, field, KrpcValueType.Integer) { MinValue = minValue, MaxValue = maxValue };
    }

    /// <summary>An integer read as a boolean.</summary>
    public static KrpcKey Flag(string name, KrpcFields field) => new(name, field, KrpcValueType.Flag);

    /// <summary>
    /// A value kept in its encoded form: <see cref="KrpcValueType.List"/>, <see cref="KrpcValueType.StringList"/>
    /// or <see cref="KrpcValueType.Any"/>.
    /// </summary>
    public static KrpcKey Encoded(string name, KrpcFields field, KrpcValueType type)
    {
        if (type is not (KrpcValueType.List or KrpcValueType.StringList or KrpcValueType.Any))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "Only lists and any-value keys are kept encoded.");
        }

        return new(name, field, type);
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

                m.IdSlot(Field) = new NodeId(reader.ValueSpan);
                break;
            case KrpcValueType.String:
                {
                    int length = reader.ValueSpan.Length;
                    if (token != BencodeTokenType.String || length < MinLength || length > MaxLength || length % LengthMultiple != 0)
                    {
                        return KrpcParseResult.Malformed(_invalid);
                    }

                    m.BytesSlot(Field) = datagram.Slice(offset + reader.Position - length, length);
                    break;
                }

            case KrpcValueType.Integer:
                if (token != BencodeTokenType.Integer || reader.IntegerValue < MinValue || reader.IntegerValue > MaxValue)
                {
                    return KrpcParseResult.Malformed(_invalid);
                }

                m.IntegerSlot(Field) = reader.IntegerValue;
                break;
            case KrpcValueType.Flag:
                if (token != BencodeTokenType.Integer)
                {
                    return KrpcParseResult.Malformed(_invalid);
                }

                m.FlagSlot(Field) = reader.IntegerValue != 0;
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

                    m.BytesSlot(Field) = datagram.Slice(offset + start, reader.Position - start);
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

                    m.BytesSlot(Field) = datagram.Slice(offset + start, reader.Position - start);
                    break;
                }
        }

        m.Fields |= Field;
        return KrpcParseResult.Ok;
    }

    /// <summary>Writes the key and the value <paramref name="m"/> holds for it.</summary>
    internal void Write(KrpcMessage m, BencodeWriter w)
    {
        // The key as bencode, formatted once here rather than on every write.
        w.WriteRaw(_encodedName);
        switch (Type)
        {
            case KrpcValueType.NodeId:
                w.WriteNodeId(m.IdSlot(Field));
                break;
            case KrpcValueType.String:
                w.WriteString(m.BytesSlot(Field).Span);
                break;
            case KrpcValueType.Integer:
                w.WriteInteger(m.IntegerSlot(Field));
                break;
            case KrpcValueType.Flag:
                w.WriteInteger(m.FlagSlot(Field) ? 1 : 0);
                break;
            default:
                w.WriteRaw(m.BytesSlot(Field).Span);
                break;
        }
    }
}
