using System.Buffers;
using Dht.Protocol.Bencode;

namespace Dht.Engine;

/// <summary>Values carried as one bencoded byte string (BEP 44 items we put, named values).</summary>
internal static class BencodedString
{
    /// <summary>The bencoding of <paramref name="value"/> as a byte string.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> value)
    {
        var buffer = new ArrayBufferWriter<byte>(value.Length + 8);
        new BencodeWriter(buffer).WriteString(value);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The length of <paramref name="valueLength"/> bytes encoded as a byte string (with its length prefix).</summary>
    public static int EncodedLength(int valueLength) =>
        valueLength + valueLength.ToString(System.Globalization.CultureInfo.InvariantCulture).Length + 1;

    /// <summary>True when <paramref name="encoded"/> is exactly one byte string; <paramref name="value"/> slices it.</summary>
    public static bool TryRead(ReadOnlySpan<byte> encoded, out ReadOnlySpan<byte> value)
    {
        var reader = new BencodeReader(encoded);
        bool ok = reader.Read() && reader.TokenType == BencodeTokenType.String && reader.Position == encoded.Length;
        value = ok ? reader.ValueSpan : default;
        return ok;
    }

    /// <summary>The bytes of a bencoded byte string, or the encoded value itself when it is another type.</summary>
    public static ReadOnlyMemory<byte> DecodeOrSelf(byte[] encoded)
    {
        var reader = new BencodeReader(encoded);
        if (reader.Read() && reader.TokenType == BencodeTokenType.String && reader.Position == encoded.Length)
        {
            return encoded.AsMemory(reader.Position - reader.ValueSpan.Length, reader.ValueSpan.Length);
        }

        return encoded;
    }
}
