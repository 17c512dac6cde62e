using System.Numerics;
using System.Text;

namespace Dht.Protocol.Tests;

public sealed class NodeIdTests
{
    private const int Iterations = 2000;

    [Fact]
    public void Distance_ToItself_IsZero()
    {
        const int seed = 101;
        var random = new Random(seed);
        for (int i = 0; i < Iterations; i++)
        {
            var x = NodeId.CreateRandom(random);

            Assert.True(x.DistanceTo(x) == NodeId.Zero, $"seed {seed}, iteration {i}, x {x}");
        }
    }

    [Fact]
    public void Distance_BetweenDifferentIds_IsPositive()
    {
        const int seed = 102;
        var random = new Random(seed);
        for (int i = 0; i < Iterations; i++)
        {
            var x = NodeId.CreateRandom(random);
            var y = i % 2 == 0 ? NodeId.CreateRandom(random) : FlipBit(x, random.Next(NodeId.Bits));
            if (x == y)
            {
                continue;
            }

            Assert.True(ToBig(x.DistanceTo(y)) > 0, $"seed {seed}, iteration {i}, x {x}, y {y}");
        }
    }

    [Fact]
    public void Distance_IsSymmetric()
    {
        const int seed = 103;
        var random = new Random(seed);
        for (int i = 0; i < Iterations; i++)
        {
            var x = NodeId.CreateRandom(random);
            var y = NodeId.CreateRandom(random);

            Assert.True(x.DistanceTo(y) == y.DistanceTo(x), $"seed {seed}, iteration {i}, x {x}, y {y}");
        }
    }

    [Fact]
    public void Distance_SatisfiesTriangleInequality()
    {
        const int seed = 104;
        var random = new Random(seed);
        for (int i = 0; i < Iterations; i++)
        {
            var x = NodeId.CreateRandom(random);
            var y = i % 3 == 0 ? x.RandomWithPrefix(random.Next(NodeId.Bits), random) : NodeId.CreateRandom(random);
            var z = NodeId.CreateRandom(random);

            // As 161-bit sums: the right-hand side may carry past 160 bits.
            var xz = ToBig(x.DistanceTo(z));
            var sum = ToBig(x.DistanceTo(y)) + ToBig(y.DistanceTo(z));

            Assert.True(xz <= sum, $"seed {seed}, iteration {i}, x {x}, y {y}, z {z}");
        }
    }

    [Fact]
    public void Distance_IsUnidirectional()
    {
        // For a point x and a distance d there is exactly one y with d(x, y) = d: y = x ^ d.
        const int seed = 105;
        var random = new Random(seed);
        for (int i = 0; i < Iterations; i++)
        {
            var x = NodeId.CreateRandom(random);
            var d = NodeId.CreateRandom(random);
            var y = x ^ d;
            var other = NodeId.CreateRandom(random);
            var otherDistance = d ^ FlipBit(NodeId.Zero, random.Next(NodeId.Bits));

            Assert.True(x.DistanceTo(y) == d, $"seed {seed}, iteration {i}, x {x}, d {d}");
            Assert.True(other == y || x.DistanceTo(other) != d, $"seed {seed}, iteration {i}, x {x}, d {d}, other {other}");
            Assert.True((x ^ otherDistance) != y, $"seed {seed}, iteration {i}, x {x}, d {d}");
        }
    }

    [Fact]
    public void CompareDistance_AgreesWithIntegerDistances()
    {
        const int seed = 106;
        var random = new Random(seed);
        for (int i = 0; i < Iterations; i++)
        {
            var target = NodeId.CreateRandom(random);
            var a = NodeId.CreateRandom(random);
            var b = (i % 4) switch
            {
                0 => a,
                1 => FlipBit(a, random.Next(NodeId.Bits)),
                2 => target.RandomWithPrefix(random.Next(NodeId.Bits), random),
                _ => NodeId.CreateRandom(random),
            };

            int expected = ToBig(a ^ target).CompareTo(ToBig(b ^ target));

            Assert.True(
                Math.Sign(target.CompareDistance(a, b)) == Math.Sign(expected),
                $"seed {seed}, iteration {i}, target {target}, a {a}, b {b}");
            Assert.True(
                Math.Sign(target.CompareDistance(b, a)) == -Math.Sign(expected),
                $"seed {seed}, iteration {i}, target {target}, a {a}, b {b}");
        }
    }

    [Fact]
    public void CompareTo_AgreesWithUnsignedBigEndianOrder()
    {
        const int seed = 107;
        var random = new Random(seed);
        for (int i = 0; i < Iterations; i++)
        {
            var a = NodeId.CreateRandom(random);
            var b = i % 2 == 0 ? FlipBit(a, random.Next(NodeId.Bits)) : NodeId.CreateRandom(random);

            int expected = Math.Sign(ToBig(a).CompareTo(ToBig(b)));

            Assert.True(Math.Sign(a.CompareTo(b)) == expected, $"seed {seed}, iteration {i}, a {a}, b {b}");
            Assert.Equal(expected < 0, a < b);
            Assert.Equal(expected > 0, a > b);
            Assert.Equal(expected <= 0, a <= b);
            Assert.Equal(expected >= 0, a >= b);
        }
    }

    [Fact]
    public void CommonPrefixLength_CountsLeadingEqualBits()
    {
        const int seed = 108;
        var random = new Random(seed);
        for (int i = 0; i < Iterations; i++)
        {
            var a = NodeId.CreateRandom(random);
            int bit = random.Next(NodeId.Bits);
            var b = a.RandomWithPrefix(bit, random);

            int expected = 0;
            while (expected < NodeId.Bits && a.GetBit(expected) == b.GetBit(expected))
            {
                expected++;
            }

            Assert.True(a.CommonPrefixLength(b) == expected, $"seed {seed}, iteration {i}, a {a}, b {b}");
            Assert.True(a.CommonPrefixLength(b) == bit, $"seed {seed}, iteration {i}, a {a}, b {b}");
            Assert.Equal(b.CommonPrefixLength(a), a.CommonPrefixLength(b));
            Assert.Equal(NodeId.Bits, a.CommonPrefixLength(a));
        }
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000", 160)]
    [InlineData("8000000000000000000000000000000000000000", 0)]
    [InlineData("0000000000000000000000000000000000000001", 159)]
    [InlineData("0000000000000000000100000000000000000000", 79)]
    [InlineData("0000000000000000000000000000000080000000", 128)]
    [InlineData("0000000000000000000000000000000100000000", 127)]
    [InlineData("0000000000000001000000000000000000000000", 63)]
    [InlineData("0000000000000000800000000000000000000000", 64)]
    public void LeadingZeroCount_AcrossWordBoundaries_MatchesHexValue(string hex, int expected)
    {
        Assert.Equal(expected, NodeId.Parse(hex).LeadingZeroCount());
    }

    [Fact]
    public void GetBit_MatchesBigEndianBytes()
    {
        const int seed = 109;
        var random = new Random(seed);
        for (int i = 0; i < 200; i++)
        {
            var id = NodeId.CreateRandom(random);
            byte[] bytes = id.ToArray();
            for (int bit = 0; bit < NodeId.Bits; bit++)
            {
                bool expected = (bytes[bit / 8] & (0x80 >> (bit % 8))) != 0;
                Assert.True(id.GetBit(bit) == expected, $"seed {seed}, iteration {i}, id {id}, bit {bit}");
            }
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(NodeId.Bits)]
    public void GetBit_OutsideTheId_Throws(int index)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NodeId.Zero.GetBit(index));
    }

    [Fact]
    public void RandomWithPrefix_SharesExactlyThePrefixAndDiffersAtTheNextBit()
    {
        const int seed = 110;
        var random = new Random(seed);
        for (int i = 0; i < Iterations; i++)
        {
            var id = NodeId.CreateRandom(random);
            int prefix = i < NodeId.Bits ? i : random.Next(NodeId.Bits);

            var other = id.RandomWithPrefix(prefix, random);

            string context = $"seed {seed}, iteration {i}, id {id}, prefix {prefix}, other {other}";
            Assert.True(id.CommonPrefixLength(other) == prefix, context);
            Assert.True((id & NodeId.Mask(prefix)) == (other & NodeId.Mask(prefix)), context);
            Assert.True(id.GetBit(prefix) != other.GetBit(prefix), context);
        }
    }

    [Fact]
    public void RandomWithPrefix_FillsTheRestRandomly()
    {
        // Bits after the flipped one come from the random source: over many draws each of them takes both values.
        const int seed = 111;
        var random = new Random(seed);
        var id = NodeId.CreateRandom(random);
        const int prefix = 10;
        var seenOne = NodeId.Zero;
        var seenZero = NodeId.Zero;
        for (int i = 0; i < 200; i++)
        {
            var other = id.RandomWithPrefix(prefix, random);
            seenOne |= other;
            seenZero |= ~other;
        }

        var rest = ~NodeId.Mask(prefix + 1);
        Assert.True((seenOne & rest) == rest, $"seed {seed}");
        Assert.True((seenZero & rest) == rest, $"seed {seed}");
    }

    [Fact]
    public void RandomWithPrefix_WhenPrefixIsWholeId_ReturnsTheId()
    {
        var id = NodeId.CreateRandom(new Random(112));

        Assert.Equal(id, id.RandomWithPrefix(NodeId.Bits, new Random(1)));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(NodeId.Bits + 1)]
    public void RandomWithPrefix_WhenPrefixOutOfRange_Throws(int prefix)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NodeId.Zero.RandomWithPrefix(prefix, new Random(1)));
    }

    [Fact]
    public void Mask_HasExactlyTheLeadingBitsSet()
    {
        for (int bits = 0; bits <= NodeId.Bits; bits++)
        {
            var mask = NodeId.Mask(bits);
            var expected = bits == 0 ? BigInteger.Zero : ((BigInteger.One << bits) - 1) << (NodeId.Bits - bits);

            Assert.True(ToBig(mask) == expected, $"bits {bits}, mask {mask}");
            Assert.Equal(bits, (~mask).LeadingZeroCount());
        }

        Assert.Equal(NodeId.Zero, NodeId.Mask(0));
        Assert.Equal(NodeId.Max, NodeId.Mask(NodeId.Bits));
    }

    [Fact]
    public void ParseAndToString_RoundTrip()
    {
        const int seed = 113;
        var random = new Random(seed);
        for (int i = 0; i < Iterations; i++)
        {
            var id = NodeId.CreateRandom(random);

            string text = id.ToString();

            Assert.Equal(40, text.Length);
            Assert.Equal(text.ToLowerInvariant(), text);
            Assert.True(NodeId.Parse(text) == id, $"seed {seed}, iteration {i}, id {text}");
            Assert.True(NodeId.Parse(text.ToUpperInvariant()) == id, $"seed {seed}, iteration {i}, id {text}");
            Assert.True(new NodeId(id.ToArray()) == id, $"seed {seed}, iteration {i}, id {text}");
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("00")]
    [InlineData("000000000000000000000000000000000000000")]
    [InlineData("00000000000000000000000000000000000000000")]
    [InlineData("000000000000000000000000000000000000000g")]
    [InlineData(" 000000000000000000000000000000000000000")]
    public void TryParse_WhenNotFortyHexDigits_Fails(string? text)
    {
        Assert.False(NodeId.TryParse(text, out var id));
        Assert.Equal(NodeId.Zero, id);
        if (text is not null)
        {
            Assert.Throws<FormatException>(() => NodeId.Parse(text));
        }
    }

    [Theory]
    [InlineData(19)]
    [InlineData(21)]
    [InlineData(0)]
    public void Constructor_WhenNotTwentyBytes_Throws(int length)
    {
        Assert.Throws<ArgumentException>(() => new NodeId(new byte[length]));
    }

    [Fact]
    public void ToString_IsBigEndianHex()
    {
        var id = new NodeId("abcdefghij0123456789"u8);

        Assert.Equal("6162636465666768696a30313233343536373839", id.ToString());
        Assert.Equal("61626364", id.ToShortString());
        Assert.Equal(0x6162636465666768UL, id.High64);
    }

    [Theory]
    [InlineData("hello", "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d")]
    [InlineData("", "da39a3ee5e6b4b0d3255bfef95601890afd80709")]
    [InlineData("abc", "a9993e364706816aba3e25717850c26c9cd0d89d")]
    public void Sha1AndFromKey_MatchKnownVectors(string text, string expected)
    {
        Assert.Equal(expected, NodeId.Sha1(Encoding.UTF8.GetBytes(text)).ToString());
        Assert.Equal(expected, NodeId.FromKey(text).ToString());
    }

    [Fact]
    public void FromKey_HashesUtf8Bytes()
    {
        Assert.Equal(NodeId.Sha1("h\u00e9llo"u8), NodeId.FromKey("h\u00e9llo"));
        Assert.NotEqual(NodeId.Sha1(Encoding.Latin1.GetBytes("h\u00e9llo")), NodeId.FromKey("h\u00e9llo"));
    }

    [Fact]
    public void CreateRandom_WithSameSeed_IsReproducible()
    {
        Assert.Equal(NodeId.CreateRandom(new Random(9)), NodeId.CreateRandom(new Random(9)));
        Assert.NotEqual(NodeId.CreateRandom(), NodeId.CreateRandom());
    }

    [Fact]
    public void EqualityAndHashCode_FollowValue()
    {
        var a = NodeId.Parse("00112233445566778899aabbccddeeff00112233");
        var b = NodeId.Parse("00112233445566778899AABBCCDDEEFF00112233");

        Assert.True(a == b);
        Assert.False(a != b);
        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, FlipBit(a, 159));
    }

    [Fact]
    public void WriteTo_WhenDestinationTooShort_Throws()
    {
        Assert.Throws<ArgumentException>(() => NodeId.Max.WriteTo(new byte[19]));
    }

    private static BigInteger ToBig(NodeId id) => new(id.ToArray(), isUnsigned: true, isBigEndian: true);

    private static NodeId FlipBit(NodeId id, int bit)
    {
        byte[] bytes = id.ToArray();
        bytes[bit / 8] ^= (byte)(0x80 >> (bit % 8));
        return new NodeId(bytes);
    }
}
