// Conversions between the engine's value types and SQLite columns (the encodings listed in SqliteSchema).
using System.Runtime.InteropServices;
using Dht.Protocol;
using Microsoft.Data.Sqlite;

namespace Dht.Storage.Sqlite;

/// <summary>Binds and reads ids, instants, byte strings and endpoints.</summary>
internal static class SqliteValues
{
    private const int IPv4Family = 4;
    private const int IPv6Family = 6;

    /// <summary>The bytes as an array to bind; no copy when the memory is a whole array (SQLite copies it on binding).</summary>
    public static byte[] Blob(ReadOnlyMemory<byte> memory) =>
        MemoryMarshal.TryGetArray(memory, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : memory.ToArray();

    public static byte[] Blob(NodeId id) => id.ToArray();

    public static long Ticks(DateTimeOffset instant) => instant.UtcTicks;

    public static byte[] ReadBlob(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? [] : reader.GetFieldValue<byte[]>(ordinal);

    public static NodeId ReadNodeId(SqliteDataReader reader, int ordinal) => new(ReadBlob(reader, ordinal));

    public static DateTimeOffset ReadInstant(SqliteDataReader reader, int ordinal) =>
        new(reader.GetInt64(ordinal), TimeSpan.Zero);

    /// <summary>Binds an endpoint to the parameters <c>{prefix}family</c>, <c>{prefix}address</c> and <c>{prefix}port</c>.</summary>
    public static void BindEndPoint(SqliteParameterCollection parameters, string prefix, NetEndPoint endPoint)
    {
        Span<byte> address = stackalloc byte[16];
        int length = endPoint.WriteAddress(address);
        parameters[prefix + "family"].Value = endPoint.IsIPv6 ? IPv6Family : IPv4Family;
        parameters[prefix + "address"].Value = address[..length].ToArray();
        parameters[prefix + "port"].Value = (int)endPoint.Port;
    }

    /// <summary>Reads an endpoint from three consecutive columns: family, address, port.</summary>
    public static NetEndPoint ReadEndPoint(SqliteDataReader reader, int familyOrdinal)
    {
        long family = reader.GetInt64(familyOrdinal);
        var address = ReadBlob(reader, familyOrdinal + 1);
        long port = reader.GetInt64(familyOrdinal + 2);
        if (port is < 0 or > ushort.MaxValue)
        {
            throw new InvalidDataException($"Stored port {port} is out of range.");
        }

        return (family, address.Length) switch
        {
            (IPv4Family, 4) => NetEndPoint.FromIPv4(address, (ushort)port),
            (IPv6Family, 16) => NetEndPoint.FromIPv6(address, (ushort)port),
            _ => throw new InvalidDataException($"Stored address of family {family} has {address.Length} bytes."),
        };
    }
}
