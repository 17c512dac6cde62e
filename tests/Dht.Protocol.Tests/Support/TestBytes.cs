// Byte helpers for protocol tests. BEP examples are ASCII with the odd binary byte, so they are written as
// Latin-1 strings: each char is exactly one byte, which keeps the test vectors readable.
using System.Buffers;
using System.Text;
using Dht.Protocol.Krpc;

namespace Dht.Protocol.Tests.Support;

internal static class TestBytes
{
    /// <summary>The bytes of a string whose chars are all below 256.</summary>
    public static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);

    /// <summary>The inverse of <see cref="Latin1(string)"/>, for assertion messages and comparisons.</summary>
    public static string Latin1(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    /// <summary>The inverse of <see cref="Latin1(string)"/> for a field of a parsed message.</summary>
    public static string Latin1(ReadOnlyMemory<byte> bytes) => Encoding.Latin1.GetString(bytes.Span);

    /// <summary>A node id from a 20-char ASCII string, as the BEP examples spell them.</summary>
    public static NodeId Id(string twentyChars) => new(Latin1(twentyChars));

    /// <summary>Encodes a message into a fresh array.</summary>
    public static byte[] Encode(KrpcMessage message)
    {
        var output = new ArrayBufferWriter<byte>();
        KrpcWriter.Write(message, output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Parses a datagram into a new message and returns both.</summary>
    public static (KrpcParseResult Result, KrpcMessage Message) Parse(byte[] datagram)
    {
        var message = new KrpcMessage();
        var result = KrpcParser.Parse(datagram, message);
        return (result, message);
    }

    /// <summary>Parses a Latin-1 string as a datagram.</summary>
    public static (KrpcParseResult Result, KrpcMessage Message) Parse(string datagram) => Parse(Latin1(datagram));
}
