// A UDP endpoint as a small value type (IPv4 or IPv6 address and port).
//
// The packet path and the simulator handle millions of endpoints; IPEndPoint is a heap object with a
// heap IPAddress inside, so the engine uses this 24-byte struct instead and converts at the socket edge.
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Dht.Protocol;

/// <summary>An IPv4 or IPv6 address with a port, as a value.</summary>
public readonly struct NetEndPoint : IEquatable<NetEndPoint>
{
    private readonly UInt128 _address; // IPv4 in the low 32 bits
    private readonly ushort _port;
    private readonly bool _isIPv6;

    private NetEndPoint(UInt128 address, ushort port, bool isIPv6)
    {
        _address = address;
        _port = port;
        _isIPv6 = isIPv6;
    }

    /// <summary>An IPv4 endpoint from the address in host order (e.g. 0x7F000001 for 127.0.0.1).</summary>
    public static NetEndPoint FromIPv4(uint address, ushort port) => new(address, port, false);

    /// <summary>An IPv4 endpoint from four address bytes in network order.</summary>
    public static NetEndPoint FromIPv4(ReadOnlySpan<byte> address, ushort port) =>
        new(BinaryPrimitives.ReadUInt32BigEndian(address), port, false);

    /// <summary>An IPv6 endpoint from sixteen address bytes in network order.</summary>
    public static NetEndPoint FromIPv6(ReadOnlySpan<byte> address, ushort port) =>
        new(BinaryPrimitives.ReadUInt128BigEndian(address), port, true);

    /// <summary>Converts from an <see cref="IPEndPoint"/>; IPv4-mapped IPv6 addresses become IPv4.</summary>
    public static NetEndPoint FromIPEndPoint(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out int written))
        {
            throw new ArgumentException("Unsupported address.", nameof(endPoint));
        }

        return written == 4
            ? FromIPv4(bytes[..4], (ushort)endPoint.Port)
            : FromIPv6(bytes[..16], (ushort)endPoint.Port);
    }

    /// <summary>True for an IPv6 endpoint, false for IPv4.</summary>
    public bool IsIPv6 => _isIPv6;

    /// <summary>The UDP port.</summary>
    public ushort Port => _port;

    /// <summary>True for the default value (no address, port 0).</summary>
    public bool IsEmpty => _address == UInt128.Zero && _port == 0 && !_isIPv6;

    /// <summary>The IPv4 address in host order; only meaningful when <see cref="IsIPv6"/> is false.</summary>
    public uint IPv4 => (uint)_address;

    /// <summary>Number of address bytes: 4 or 16.</summary>
    public int AddressLength => _isIPv6 ? 16 : 4;

    /// <summary>Writes the address bytes in network order; returns the number written (4 or 16).</summary>
    public int WriteAddress(Span<byte> destination)
    {
        if (_isIPv6)
        {
            BinaryPrimitives.WriteUInt128BigEndian(destination, _address);
            return 16;
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)_address);
        return 4;
    }

    /// <summary>The same address with another port.</summary>
    public NetEndPoint WithPort(ushort port) => new(_address, port, _isIPv6);

    /// <summary>True when both endpoints have the same address, whatever their ports.</summary>
    public bool SameAddress(NetEndPoint other) => _address == other._address && _isIPv6 == other._isIPv6;

    /// <summary>A hashable key for the address alone (per-IP limits and rate limiting).</summary>
    public UInt128 AddressKey => _isIPv6 ? _address : _address | ((UInt128)0xFFFF << 32); // IPv4-mapped form

    /// <summary>Converts to an <see cref="IPEndPoint"/> (allocates; for the socket edge and display).</summary>
    public IPEndPoint ToIPEndPoint()
    {
        Span<byte> bytes = stackalloc byte[16];
        int n = WriteAddress(bytes);
        return new IPEndPoint(new IPAddress(bytes[..n]), _port);
    }

    /// <summary>True for 127.0.0.0/8 and ::1: a peer on this machine.</summary>
    public bool IsLoopback => _isIPv6 ? _address == UInt128.One : ((uint)_address >> 24) == 127;

    /// <summary>True for addresses that must never be stored or contacted: port 0 or an unspecified address.</summary>
    public bool IsUnusable => _port == 0 || _address == UInt128.Zero;

    /// <summary>Parses a literal "a.b.c.d:port" or "[v6]:port" (no name resolution).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out NetEndPoint endPoint)
    {
        endPoint = default;
        if (text is null || !IPEndPoint.TryParse(text, out var ip) || ip.Port == 0)
        {
            return false;
        }

        endPoint = FromIPEndPoint(ip);
        return true;
    }

    /// <summary>Parses a literal "a.b.c.d:port" or "[v6]:port", or throws <see cref="FormatException"/>.</summary>
    public static NetEndPoint Parse(string text) =>
        TryParse(text, out var endPoint) ? endPoint : throw new FormatException($"'{text}' is not an IP address and port.");

    /// <inheritdoc/>
    public bool Equals(NetEndPoint other) =>
        _address == other._address && _port == other._port && _isIPv6 == other._isIPv6;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is NetEndPoint other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_address, _port, _isIPv6);

    /// <summary>True when address, port and family are the same.</summary>
    public static bool operator ==(NetEndPoint a, NetEndPoint b) => a.Equals(b);

    /// <summary>True when address, port or family differ.</summary>
    public static bool operator !=(NetEndPoint a, NetEndPoint b) => !a.Equals(b);

    /// <summary>"a.b.c.d:port" or "[v6]:port", the form <see cref="Parse"/> reads.</summary>
    public override string ToString()
    {
        if (!_isIPv6)
        {
            uint a = (uint)_address;
            return string.Create(CultureInfo.InvariantCulture, $"{a >> 24}.{(a >> 16) & 0xFF}.{(a >> 8) & 0xFF}.{a & 0xFF}:{_port}");
        }

        return ToIPEndPoint().ToString();
    }
}
