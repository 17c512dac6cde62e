using System.Buffers;
using System.Text;
using Dht.Protocol.Bencode;
using Dht.Protocol.Tests.Support;

namespace Dht.Protocol.Tests.Bencode;

public sealed class BencodeRoundTripTests
{
    [Theory]
    [InlineData(0L, "i0e")]
    [InlineData(1L, "i1e")]
    [InlineData(-1L, "i-1e")]
    [InlineData(6881L, "i6881e")]
    [InlineData(-42L, "i-42e")]
    [InlineData(int.MaxValue + 1L, "i2147483648e")]
    [InlineData(long.MaxValue, "i9223372036854775807e")]
    [InlineData(long.MinValue, "i-9223372036854775808e")]
    public void WriteInteger_ThenRead_GivesCanonicalBytesAndSameValue(long value, string expected)
    {
        byte[] encoded = Write(w => w.WriteInteger(value));

        Assert.Equal(expected, TestBytes.Latin1(encoded));
        var reader = new BencodeReader(encoded);
        Assert.True(reader.Read());
        Assert.Equal(BencodeTokenType.Integer, reader.TokenType);
        Assert.Equal(value, reader.IntegerValue);
        Assert.False(reader.Read());
        Assert.True(reader.IsComplete);
    }

    [Fact]
    public void WriteString_WhenEmpty_RoundTripsAsZeroLength()
    {
        byte[] encoded = Write(w => w.WriteString(ReadOnlySpan<byte>.Empty));

        Assert.Equal("0:", TestBytes.Latin1(encoded));
        var reader = new BencodeReader(encoded);
        Assert.True(reader.Read());
        Assert.Equal(BencodeTokenType.String, reader.TokenType);
        Assert.Equal(0, reader.ValueSpan.Length);
        Assert.False(reader.Read());
        Assert.True(reader.IsComplete);
    }

    [Fact]
    public void WriteString_WhenBinary_RoundTripsEveryByteValue()
    {
        byte[] all = new byte[256];
        for (int i = 0; i < all.Length; i++)
        {
            all[i] = (byte)i;
        }

        byte[] encoded = Write(w => w.WriteString(all));

        Assert.Equal("256:"u8.ToArray(), encoded[..4]);
        var reader = new BencodeReader(encoded);
        Assert.True(reader.Read());
        Assert.Equal(all, reader.ValueSpan.ToArray());
        Assert.False(reader.Read());
        Assert.True(reader.IsComplete);
    }

    [Fact]
    public void WriteString_WhenLong_RoundTrips()
    {
        const int seed = 5001;
        var random = new Random(seed);
        byte[] value = new byte[200_000];
        random.NextBytes(value);

        byte[] encoded = Write(w => w.WriteString(value));

        var reader = new BencodeReader(encoded);
        Assert.True(reader.Read(), $"seed {seed}");
        Assert.True(value.AsSpan().SequenceEqual(reader.ValueSpan), $"seed {seed}");
        Assert.False(reader.Read());
        Assert.True(reader.IsComplete, $"seed {seed}");
    }

    [Fact]
    public void WriteString_FromText_WritesUtf8ByteLength()
    {
        byte[] encoded = Write(w => w.WriteString("héllo"));

        Assert.Equal("6:"u8.ToArray().Concat(Encoding.UTF8.GetBytes("héllo")), encoded);
    }

    [Fact]
    public void WriteNodeId_WritesTwentyByteString()
    {
        var id = TestBytes.Id("abcdefghij0123456789");

        byte[] encoded = Write(w => w.WriteNodeId(id));

        Assert.Equal("20:abcdefghij0123456789", TestBytes.Latin1(encoded));
    }

    [Fact]
    public void Read_ValueSpan_SlicesTheInputWithoutCopying()
    {
        byte[] data = "d3:key5:valuee"u8.ToArray();
        var reader = new BencodeReader(data);
        reader.Read();
        reader.Read();
        reader.Read();

        Assert.Equal(BencodeTokenType.String, reader.TokenType);
        Assert.True(data.AsSpan().Overlaps(reader.ValueSpan, out int offset));
        Assert.Equal(8, offset);
    }

    [Fact]
    public void WriteNested_ThenRead_GivesTheSameTokens()
    {
        // {"a": [1, "xy", {"b": []}], "c": {}, "d": -7}
        byte[] encoded = Write(w =>
        {
            w.WriteStartDictionary();
            w.WriteKey("a"u8);
            w.WriteStartList();
            w.WriteInteger(1);
            w.WriteString("xy"u8);
            w.WriteStartDictionary();
            w.WriteKey("b"u8);
            w.WriteStartList();
            w.WriteEnd();
            w.WriteEnd();
            w.WriteEnd();
            w.WriteKey("c"u8);
            w.WriteStartDictionary();
            w.WriteEnd();
            w.WriteKey("d"u8);
            w.WriteInteger(-7);
            w.WriteEnd();
        });

        Assert.Equal("d1:ali1e2:xyd1:bleee1:cde1:di-7ee", TestBytes.Latin1(encoded));
        Assert.Equal(
            [
                "{", "k:a", "[", "i:1", "s:xy", "{", "k:b", "[", "]", "]", "]", "k:c", "{", "]", "k:d", "i:-7", "]",
            ],
            Tokens(encoded));
    }

    [Fact]
    public void WriteRandomTrees_ThenRead_GivesTheSameTokens()
    {
        const int seed = 4242;
        var random = new Random(seed);
        for (int iteration = 0; iteration < 2000; iteration++)
        {
            var expected = new List<string>();
            var output = new ArrayBufferWriter<byte>();
            var writer = new BencodeWriter(output);
            WriteRandomValue(writer, random, expected, depth: 0);
            byte[] encoded = output.WrittenSpan.ToArray();

            var actual = Tokens(encoded);

            Assert.True(
                expected.SequenceEqual(actual),
                $"seed {seed}, iteration {iteration}: {TestBytes.Latin1(encoded)}");
        }
    }

    /// <summary>Reads every token into a compact text form; fails on a reader error.</summary>
    internal static List<string> Tokens(byte[] data)
    {
        var tokens = new List<string>();
        var reader = new BencodeReader(data);
        while (reader.Read())
        {
            tokens.Add(reader.TokenType switch
            {
                BencodeTokenType.Integer => "i:" + reader.IntegerValue,
                BencodeTokenType.String => "s:" + TestBytes.Latin1(reader.ValueSpan),
                BencodeTokenType.Key => "k:" + TestBytes.Latin1(reader.ValueSpan),
                BencodeTokenType.StartList => "[",
                BencodeTokenType.StartDictionary => "{",
                BencodeTokenType.End => "]",
                _ => "?",
            });
        }

        Assert.True(reader.IsComplete, $"error {reader.Error} at {reader.ErrorPosition}");
        return tokens;
    }

    private static void WriteRandomValue(BencodeWriter writer, Random random, List<string> tokens, int depth)
    {
        int kind = depth >= 6 ? random.Next(2) : random.Next(4);
        switch (kind)
        {
            case 0:
                long value = random.Next(4) switch
                {
                    0 => random.Next(-10, 10),
                    1 => random.NextInt64(),
                    2 => -random.NextInt64(),
                    _ => random.Next(2) == 0 ? long.MinValue : long.MaxValue,
                };
                writer.WriteInteger(value);
                tokens.Add("i:" + value);
                break;
            case 1:
                byte[] bytes = RandomBytes(random, random.Next(3) == 0 ? random.Next(0, 300) : random.Next(0, 8));
                writer.WriteString(bytes);
                tokens.Add("s:" + TestBytes.Latin1(bytes));
                break;
            case 2:
                writer.WriteStartList();
                tokens.Add("[");
                int count = random.Next(0, 5);
                for (int i = 0; i < count; i++)
                {
                    WriteRandomValue(writer, random, tokens, depth + 1);
                }

                writer.WriteEnd();
                tokens.Add("]");
                break;
            default:
                writer.WriteStartDictionary();
                tokens.Add("{");
                var keys = new SortedSet<byte[]>(ByteOrder.Instance);
                int keyCount = random.Next(0, 5);
                for (int i = 0; i < keyCount; i++)
                {
                    keys.Add(RandomBytes(random, random.Next(0, 4)));
                }

                foreach (byte[] key in keys)
                {
                    writer.WriteKey(key);
                    tokens.Add("k:" + TestBytes.Latin1(key));
                    WriteRandomValue(writer, random, tokens, depth + 1);
                }

                writer.WriteEnd();
                tokens.Add("]");
                break;
        }
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private delegate void WriteAction(BencodeWriter writer);

    private static byte[] Write(WriteAction write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(new BencodeWriter(output));
        return output.WrittenSpan.ToArray();
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
