using System.Globalization;

namespace Dht.Cli;

/// <summary>
/// The value-size limit as users meet it. Named values and BEP 44 items are limited to 1000 bytes
/// <em>encoded</em>: the bytes plus their bencode length prefix ("996:"), so the largest value is 996 bytes.
/// </summary>
internal static class ValueSize
{
    /// <summary>The value's size on the wire: its bytes and the prefix "LENGTH:".</summary>
    public static int Encoded(int length) => length + length.ToString(CultureInfo.InvariantCulture).Length + 1;

    /// <summary>The largest value whose encoded size is within <paramref name="limit"/>.</summary>
    public static int Largest(int limit)
    {
        int length = Math.Max(0, limit - 1);
        while (length > 0 && Encoded(length) > limit)
        {
            length--;
        }

        return length;
    }

    /// <summary>Null when the value fits, else the message that says so and what the largest value is.</summary>
    public static string? Check(int length, int limit) =>
        Encoded(length) <= limit
            ? null
            : $"the value is {length} bytes; the largest value is {Largest(limit)} bytes ({limit} bytes with its length prefix, the protocol's limit)";
}
