// A 160-bit Kademlia identifier (node ids, info-hashes, BEP 44 targets, named-value keys).
//
// Stored as three big-endian words so that comparisons and XOR are a handful of integer ops and the
// type is a small, copyable value (24 bytes) with no heap allocation. Byte order on the wire is
// big-endian, as in BEP 5; word 0 holds the most significant 64 bits.
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Dht.Protocol;

/// <summary>A 160-bit identifier in the Kademlia keyspace, with the XOR metric.</summary>
public readonly struct NodeId : IEquatable<NodeId>, IComparable<NodeId>
{
    /// <summary>Size of an id in bytes (160 bits).</summary>
    public const int Size = 20;

    /// <summary>Number of bits in an id.</summary>
    public const int Bits = 160;

    private readonly ulong _w0;
    private readonly ulong _w1;
    private readonly uint _w2;

    private NodeId(ulong w0, ulong w1, uint w2)
    {
        _w0 = w0;
        _w1 = w1;
        _w2 = w2;
    }

    /// <summary>Reads an id from exactly 20 big-endian bytes.</summary>
    public NodeId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"A node id is {Size} bytes, got {bytes.Length}.", nameof(bytes));
        }

        _w0 = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _w1 = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _w2 = BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]);
    }

    /// <summary>The all-zero id.</summary>
    public static NodeId Zero => default;

    /// <summary>The id with every bit set (the farthest id from <see cref="Zero"/>).</summary>
    public static NodeId Max => new(ulong.MaxValue, ulong.MaxValue, uint.MaxValue);

    /// <summary>A uniformly random id from the cryptographic generator (node ids must not be predictable).</summary>
    public static NodeId CreateRandom()
    {
        Span<byte> bytes = stackalloc byte[Size];
        RandomNumberGenerator.Fill(bytes);
        return new NodeId(bytes);
    }

    /// <summary>A random id from a caller-supplied source (simulations and tests pass a seeded one).</summary>
    public static NodeId CreateRandom(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Span<byte> bytes = stackalloc byte[Size];
        random.NextBytes(bytes);
        return new NodeId(bytes);
    }

    /// <summary>SHA-1 of the given bytes: the id of a key name, an immutable item or an info-hash.</summary>
    public static NodeId Sha1(ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[Size];
        SHA1.HashData(data, hash);
        return new NodeId(hash);
    }

    /// <summary>SHA-1 of the UTF-8 bytes of a key name (DESIGN.md section 3).</summary>
    public static NodeId FromKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Sha1(Encoding.UTF8.GetBytes(key));
    }

    /// <summary>Parses 40 hexadecimal digits.</summary>
    public static bool TryParse([NotNullWhen(true)] string? hex, out NodeId id)
    {
        id = default;
        if (hex is null || hex.Length != Size * 2)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Size];
        if (Convert.FromHexString(hex, bytes, out _, out int written) != System.Buffers.OperationStatus.Done || written != Size)
        {
            return false;
        }

        id = new NodeId(bytes);
        return true;
    }

    /// <summary>Parses 40 hexadecimal digits or throws <see cref="FormatException"/>.</summary>
    public static NodeId Parse(string hex) =>
        TryParse(hex, out var id) ? id : throw new FormatException("A node id is 40 hexadecimal digits.");

    /// <summary>The XOR distance between two ids, itself a 160-bit number.</summary>
    public static NodeId operator ^(NodeId a, NodeId b) => new(a._w0 ^ b._w0, a._w1 ^ b._w1, a._w2 ^ b._w2);

    /// <summary>True when the two ids are the same 160 bits.</summary>
    public static bool operator ==(NodeId a, NodeId b) => a.Equals(b);

    /// <summary>True when the two ids differ.</summary>
    public static bool operator !=(NodeId a, NodeId b) => !a.Equals(b);

    /// <summary>Compares ids as 160-bit big-endian numbers (so distances compare as Kademlia orders them).</summary>
    public static bool operator <(NodeId a, NodeId b) => a.CompareTo(b) < 0;

    /// <summary>Compares ids as 160-bit big-endian numbers.</summary>
    public static bool operator >(NodeId a, NodeId b) => a.CompareTo(b) > 0;

    /// <summary>Compares ids as 160-bit big-endian numbers.</summary>
    public static bool operator <=(NodeId a, NodeId b) => a.CompareTo(b) <= 0;

    /// <summary>Compares ids as 160-bit big-endian numbers.</summary>
    public static bool operator >=(NodeId a, NodeId b) => a.CompareTo(b) >= 0;

    /// <summary>XOR distance to another id.</summary>
    public NodeId DistanceTo(NodeId other) => this ^ other;

    /// <summary>
    /// Compares the distances of <paramref name="a"/> and <paramref name="b"/> to this id:
    /// negative when <paramref name="a"/> is closer.
    /// </summary>
    public int CompareDistance(NodeId a, NodeId b) => (a ^ this).CompareTo(b ^ this);

    /// <summary>Number of leading zero bits (160 for <see cref="Zero"/>).</summary>
    public int LeadingZeroCount()
    {
        if (_w0 != 0)
        {
            return BitOperations.LeadingZeroCount(_w0);
        }

        if (_w1 != 0)
        {
            return 64 + BitOperations.LeadingZeroCount(_w1);
        }

        return _w2 != 0 ? 128 + BitOperations.LeadingZeroCount(_w2) : Bits;
    }

    /// <summary>
    /// Length of the common prefix of this id and <paramref name="other"/> in bits (0..160). Contacts whose
    /// shared prefix with our id is <c>i</c> bits long belong in bucket <c>i</c> of a full tree.
    /// </summary>
    public int CommonPrefixLength(NodeId other) => (this ^ other).LeadingZeroCount();

    /// <summary>Value of bit <paramref name="index"/>, counting from the most significant bit (0).</summary>
    public bool GetBit(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Bits);
        if (index < 64)
        {
            return ((_w0 >> (63 - index)) & 1) != 0;
        }

        if (index < 128)
        {
            return ((_w1 >> (127 - index)) & 1) != 0;
        }

        return ((_w2 >> (159 - index)) & 1) != 0;
    }

    /// <summary>
    /// A random id that shares exactly the first <paramref name="prefixLength"/> bits with this id and
    /// differs at the next bit: a target inside the subtree of bucket <paramref name="prefixLength"/>,
    /// used to refresh that bucket.
    /// </summary>
    public NodeId RandomWithPrefix(int prefixLength, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, Bits);
        ArgumentNullException.ThrowIfNull(random);
        var noise = CreateRandom(random);
        if (prefixLength == Bits)
        {
            return this;
        }

        // keep = prefixLength leading ones; flip = the single bit after the prefix.
        var keep = Mask(prefixLength);
        var flip = Mask(prefixLength + 1) ^ keep;
        var keepBits = this & keep;
        var noiseBits = noise & ~Mask(prefixLength + 1);
        var flipped = (this ^ flip) & flip;
        return keepBits | flipped | noiseBits;
    }

    /// <summary>An id whose first <paramref name="bits"/> bits are ones and the rest zeros.</summary>
    public static NodeId Mask(int bits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, Bits);
        static ulong Ones64(int n) => n <= 0 ? 0 : n >= 64 ? ulong.MaxValue : ulong.MaxValue << (64 - n);
        static uint Ones32(int n) => n <= 0 ? 0 : n >= 32 ? uint.MaxValue : uint.MaxValue << (32 - n);
        return new NodeId(Ones64(bits), Ones64(bits - 64), Ones32(bits - 128));
    }

    /// <summary>Bitwise AND of two ids (prefix masks).</summary>
    public static NodeId operator &(NodeId a, NodeId b) => new(a._w0 & b._w0, a._w1 & b._w1, a._w2 & b._w2);

    /// <summary>Bitwise OR of two ids.</summary>
    public static NodeId operator |(NodeId a, NodeId b) => new(a._w0 | b._w0, a._w1 | b._w1, a._w2 | b._w2);

    /// <summary>Bitwise complement of an id.</summary>
    public static NodeId operator ~(NodeId a) => new(~a._w0, ~a._w1, ~a._w2);

    /// <summary>Writes the 20 big-endian bytes of the id.</summary>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException("Destination is shorter than 20 bytes.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, _w0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _w1);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], _w2);
    }

    /// <summary>The 20 big-endian bytes of the id as a new array.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>The first 64 bits, as an unsigned number (a cheap, well-spread hash and a sampling key).</summary>
    public ulong High64 => _w0;

    /// <inheritdoc/>
    public bool Equals(NodeId other) => _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is NodeId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_w0, _w1, _w2);

    /// <summary>Orders ids as unsigned 160-bit big-endian numbers.</summary>
    public int CompareTo(NodeId other)
    {
        int c = _w0.CompareTo(other._w0);
        if (c != 0)
        {
            return c;
        }

        c = _w1.CompareTo(other._w1);
        return c != 0 ? c : _w2.CompareTo(other._w2);
    }

    /// <summary>40 lowercase hexadecimal digits.</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        WriteTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>The first <paramref name="digits"/> hexadecimal digits, for logs and tables.</summary>
    public string ToShortString(int digits = 8) => ToString()[..Math.Clamp(digits, 1, Size * 2)];
}
