using System.Buffers;
using System.Globalization;
using System.Text;

namespace Dht.Adversary;

/// <summary>
/// A bencode value the fuzzer can break on purpose: dictionaries keep their entries in the order given
/// (duplicates and unsorted keys allowed), strings may declare a length other than their own, and integers
/// may carry any text between <c>i</c> and <c>e</c>.
/// </summary>
internal sealed class BValue
{
    private BValue(BKind kind) => Kind = kind;

    public BKind Kind { get; private set; }

    /// <summary>String bytes, or the text of an integer.</summary>
    public byte[] Bytes { get; set; } = [];

    /// <summary>A string's length as written, when it lies.</summary>
    public string? DeclaredLength { get; set; }

    public List<BValue> Items => _items ??= [];

    public List<(byte[] Key, BValue Value)> Entries => _entries ??= [];

    /// <summary>Containers wrapped around this value when encoded (deep nesting without a deep tree).</summary>
    public int Nesting { get; set; }

    /// <summary>Whether <see cref="Nesting"/> wraps in dictionaries (<c>d1:a...e</c>) rather than lists.</summary>
    public bool NestInDictionaries { get; set; }

    private List<BValue>? _items;
    private List<(byte[] Key, BValue Value)>? _entries;

    public static BValue Str(byte[] bytes) => new(BKind.String) { Bytes = bytes };

    public static BValue Str(string ascii) => Str(Encoding.Latin1.GetBytes(ascii));

    public static BValue Int(long value) => new(BKind.Integer) { Bytes = Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture)) };

    public static BValue RawInt(string text) => new(BKind.Integer) { Bytes = Encoding.Latin1.GetBytes(text) };

    public static BValue List(params BValue[] items)
    {
        var v = new BValue(BKind.List);
        v.Items.AddRange(items);
        return v;
    }

    /// <summary>A dictionary with its entries sorted, as a valid message has them.</summary>
    public static BValue Dict(params (string Key, BValue Value)[] entries)
    {
        var v = new BValue(BKind.Dictionary);
        foreach (var (key, value) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            v.Entries.Add((Encoding.Latin1.GetBytes(key), value));
        }

        return v;
    }

    public BValue? Get(ReadOnlySpan<byte> key)
    {
        foreach (var (k, v) in _entries ?? [])
        {
            if (k.AsSpan().SequenceEqual(key))
            {
                return v;
            }
        }

        return null;
    }

    public BValue Clone()
    {
        var c = new BValue(Kind) { Bytes = Bytes, DeclaredLength = DeclaredLength, Nesting = Nesting, NestInDictionaries = NestInDictionaries };
        foreach (var item in _items ?? [])
        {
            c.Items.Add(item.Clone());
        }

        foreach (var (key, value) in _entries ?? [])
        {
            c.Entries.Add((key, value.Clone()));
        }

        return c;
    }

    /// <summary>Turns this value into <paramref name="other"/> in place (its parent keeps pointing here).</summary>
    public void Become(BValue other)
    {
        Kind = other.Kind;
        Bytes = other.Bytes;
        DeclaredLength = other.DeclaredLength;
        Nesting = other.Nesting;
        NestInDictionaries = other.NestInDictionaries;
        _items = other._items is null ? null : [.. other._items];
        _entries = other._entries is null ? null : [.. other._entries];
    }

    /// <summary>Every value in the tree, this one first.</summary>
    public void Collect(List<BValue> into)
    {
        into.Add(this);
        foreach (var item in _items ?? [])
        {
            item.Collect(into);
        }

        foreach (var (_, value) in _entries ?? [])
        {
            value.Collect(into);
        }
    }

    public void Encode(IBufferWriter<byte> output)
    {
        for (int i = 0; i < Nesting; i++)
        {
            Write(output, NestInDictionaries ? "d1:a"u8 : "l"u8);
        }

        EncodeSelf(output);
        for (int i = 0; i < Nesting; i++)
        {
            Write(output, "e"u8);
        }
    }

    private void EncodeSelf(IBufferWriter<byte> output)
    {
        switch (Kind)
        {
            case BKind.Integer:
                Write(output, "i"u8);
                Write(output, Bytes);
                Write(output, "e"u8);
                break;
            case BKind.String:
                WriteString(output, Bytes, DeclaredLength);
                break;
            case BKind.List:
                Write(output, "l"u8);
                foreach (var item in _items ?? [])
                {
                    item.Encode(output);
                }

                Write(output, "e"u8);
                break;
            default:
                Write(output, "d"u8);
                foreach (var (key, value) in _entries ?? [])
                {
                    WriteString(output, key, null);
                    value.Encode(output);
                }

                Write(output, "e"u8);
                break;
        }
    }

    private static void WriteString(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes, string? declaredLength)
    {
        Write(output, Encoding.ASCII.GetBytes(declaredLength ?? bytes.Length.ToString(CultureInfo.InvariantCulture)));
        Write(output, ":"u8);
        Write(output, bytes);
    }

    private static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }
}
