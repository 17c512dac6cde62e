// One row of the KRPC key table: a key of the "a" or "r" dictionary with its type, its limits and where its
// value lives in a KrpcMessage. The parser checks a value against the row and stores it; the writer reads it
// back and writes it; neither knows any key by name. A value that breaks the row's limits is refused with
// "invalid <name>", sent back in error 203 (libtorrent's key_desc_t does the same job in verify_message).
//
// Strings and lists are slices of the datagram, never copies. A value lives in its key's slot of the
// KrpcMessage's table of values of its kind (node ids, byte strings, integers, flags): the slot and the
// presence flag are handed out here when the key is made, so a new key needs no field, property or flag of
// its own elsewhere, and reading or writing a key is an array index, allocating nothing. The core keys keep
// the KrpcFields flags they have always had (code reads them by name); a key given no flag takes a free one.
using System.Text;
using Dht.Protocol.Bencode;

namespace Dht.Protocol.Krpc;

/// <summary>The description of one KRPC argument or return-value key.</summary>
internal sealed class KrpcKey
{
    private readonly byte[] _name;
    private readonly byte[] _encodedName;
    private readonly string _invalid;

    // The envelope's flags, never a key's.
    private const KrpcFields EnvelopeFields = KrpcFields.ClientVersion | KrpcFields.ExternalAddress | KrpcFields.ReadOnly;

    private static readonly Lock Assigning = new();
    private static readonly int[] SlotsTaken = new int[(int)KrpcValueKind.Flag + 1];
    private static KrpcFields s_flagsTaken = Enum.GetValues<KrpcFields>().Aggregate(KrpcFields.None, static (all, f) => all | f);

    private KrpcKey(string name, KrpcFields field, KrpcValueType type)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if ((field != KrpcFields.None && !ulong.IsPow2((ulong)field)) || (field & EnvelopeFields) != 0)
        {
            throw new ArgumentException("A key stands for exactly one field flag, not one of the envelope's.", nameof(field));
        }

        Name = name;
        _name = Encoding.UTF8.GetBytes(name);
        _encodedName = [.. Encoding.ASCII.GetBytes($"{_name.Length}:"), .. _name];
        _invalid = "invalid " + name;
        Type = type;
        Kind = type switch
        {
            KrpcValueType.NodeId => KrpcValueKind.NodeId,
            KrpcValueType.Integer => KrpcValueKind.Integer,
            KrpcValueType.Flag => KrpcValueKind.Flag,
            _ => KrpcValueKind.Bytes,
        };

        // Keys are made by static initialisers, which two threads may run at once.
        lock (Assigning)
        {
            Slot = SlotsTaken[(int)Kind]++;
            if (field == KrpcFields.None)
            {
                var free = ~s_flagsTaken;
                if (free == KrpcFields.None)
                {
                    throw new InvalidOperationException("Every presence flag is taken.");
                }

                field = (KrpcFields)(1u << System.Numerics.BitOperations.TrailingZeroCount((uint)free));
                s_flagsTaken |= field;
            }
        }

        Field = field;
    }

    /// <summary>How many slots of <paramref name="kind"/> keys have taken so far: the size a message's table needs.</summary>
    internal static int SlotCount(KrpcValueKind kind)
    {
        lock (Assigning)
        {
            return SlotsTaken[(int)kind];
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

    /// <summary>Which of the message's value tables holds the value.</summary>
    internal KrpcValueKind Kind { get; }

    /// <summary>The value's index in that table.</summary>
    internal int Slot { get; }

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

    // Each factory's field: the presence flag, KrpcFields.None (the default) for a free one.

    /// <summary>A 20-byte node id or info hash.</summary>
    public static KrpcKey NodeId(string name, bool inEveryBody = false, KrpcFields field = KrpcFields.None) =>
        new(name, field, KrpcValueType.NodeId) { InEveryBody = inEveryBody };

    /// <summary>A byte string whose length is within [<paramref name="minLength"/>, <paramref name="maxLength"/>] and a multiple of <paramref name="lengthMultiple"/>.</summary>
    public static KrpcKey String(string name, int minLength = 0, int maxLength = int.MaxValue, int lengthMultiple = 1, KrpcFields field = KrpcFields.None)
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
    public static KrpcKey Integer(string name, long minValue = long.MinValue, long maxValue = long.MaxValue, KrpcFields field = KrpcFields.None)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxValue, minValue);
        return new(name, field, KrpcValueType.Integer) { MinValue = minValue, MaxValue = maxValue };
    }

    /// <summary>An integer read as a boolean.</summary>
    public static KrpcKey Flag(string name, KrpcFields field = KrpcFields.None) => new(name, field, KrpcValueType.Flag);

    /// <summary>
    /// A value kept in its encoded form: <see cref="KrpcValueType.List"/>, <see cref="KrpcValueType.StringList"/>
    /// or <see cref="KrpcValueType.Any"/>.
    /// </summary>
    public static KrpcKey Encoded(string name, KrpcValueType type, KrpcFields field = KrpcFields.None)
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

                m.IdSlot(Slot) = new NodeId(reader.ValueSpan);
                break;
            case KrpcValueType.String:
                {
                    int length = reader.ValueSpan.Length;
                    if (token != BencodeTokenType.String || length < MinLength || length > MaxLength || length % LengthMultiple != 0)
                    {
                        return KrpcParseResult.Malformed(_invalid);
                    }

                    m.BytesSlot(Slot) = datagram.Slice(offset + reader.Position - length, length);
                    break;
                }

            case KrpcValueType.Integer:
                if (token != BencodeTokenType.Integer || reader.IntegerValue < MinValue || reader.IntegerValue > MaxValue)
                {
                    return KrpcParseResult.Malformed(_invalid);
                }

                m.IntegerSlot(Slot) = reader.IntegerValue;
                break;
            case KrpcValueType.Flag:
                if (token != BencodeTokenType.Integer)
                {
                    return KrpcParseResult.Malformed(_invalid);
                }

                m.FlagSlot(Slot) = reader.IntegerValue != 0;
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

                    m.BytesSlot(Slot) = datagram.Slice(offset + start, reader.Position - start);
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

                    m.BytesSlot(Slot) = datagram.Slice(offset + start, reader.Position - start);
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
                w.WriteNodeId(m.IdSlot(Slot));
                break;
            case KrpcValueType.String:
                w.WriteString(m.BytesSlot(Slot).Span);
                break;
            case KrpcValueType.Integer:
                w.WriteInteger(m.IntegerSlot(Slot));
                break;
            case KrpcValueType.Flag:
                w.WriteInteger(m.FlagSlot(Slot) ? 1 : 0);
                break;
            default:
                w.WriteRaw(m.BytesSlot(Slot).Span);
                break;
        }
    }
}
