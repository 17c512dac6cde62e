// A bencode writer over IBufferWriter<byte>, shaped like Utf8JsonWriter. Callers write dictionary keys in
// sorted order (every KRPC message has a fixed key set, so the order is written out in code once);
// nothing here allocates.
using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Dht.Protocol.Bencode;

/// <summary>Writes bencoded tokens to a buffer writer.</summary>
internal readonly ref struct BencodeWriter
{
    private readonly IBufferWriter<byte> _output;

    public BencodeWriter(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
    }

    /// <summary>Writes <c>i&lt;value&gt;e</c>.</summary>
    public void WriteInteger(long value)
    {
        var span = _output.GetSpan(22);
        span[0] = (byte)'i';
        Utf8Formatter.TryFormat(value, span[1..], out int n);
        span[n + 1] = (byte)'e';
        _output.Advance(n + 2);
    }

    /// <summary>Writes a byte string <c>&lt;length&gt;:&lt;bytes&gt;</c>.</summary>
    public void WriteString(ReadOnlySpan<byte> value)
    {
        var span = _output.GetSpan(value.Length + 11);
        Utf8Formatter.TryFormat(value.Length, span, out int n);
        span[n] = (byte)':';
        value.CopyTo(span[(n + 1)..]);
        _output.Advance(n + 1 + value.Length);
    }

    /// <summary>Writes a string as its UTF-8 bytes.</summary>
    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        var span = _output.GetSpan(max + 11);
        int length = Encoding.UTF8.GetByteCount(value);
        Utf8Formatter.TryFormat(length, span, out int n);
        span[n] = (byte)':';
        Encoding.UTF8.GetBytes(value, span[(n + 1)..]);
        _output.Advance(n + 1 + length);
    }

    /// <summary>Writes a byte string holding a node id.</summary>
    public void WriteNodeId(NodeId id)
    {
        var span = _output.GetSpan(23);
        span[0] = (byte)'2';
        span[1] = (byte)'0';
        span[2] = (byte)':';
        id.WriteTo(span[3..]);
        _output.Advance(23);
    }

    /// <summary>Writes a dictionary key; the caller keeps keys sorted and unique.</summary>
    public void WriteKey(ReadOnlySpan<byte> key) => WriteString(key);

    public void WriteStartList() => WriteByte((byte)'l');

    public void WriteStartDictionary() => WriteByte((byte)'d');

    public void WriteEnd() => WriteByte((byte)'e');

    /// <summary>Copies already-encoded bencode (for example a BEP 44 value kept in its encoded form).</summary>
    public void WriteRaw(ReadOnlySpan<byte> encoded) => _output.Write(encoded);

    private void WriteByte(byte b)
    {
        var span = _output.GetSpan(1);
        span[0] = b;
        _output.Advance(1);
    }
}
