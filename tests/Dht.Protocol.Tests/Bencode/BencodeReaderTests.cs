using Dht.Protocol.Bencode;
using Dht.Protocol.Tests.Support;

namespace Dht.Protocol.Tests.Bencode;

public sealed class BencodeReaderTests
{
    [Theory]
    // Integers: canonical form only.
    [InlineData("i03e", BencodeError.InvalidInteger, 0)]
    [InlineData("i00e", BencodeError.InvalidInteger, 0)]
    [InlineData("i-03e", BencodeError.InvalidInteger, 0)]
    [InlineData("i-0e", BencodeError.InvalidInteger, 0)]
    [InlineData("ie", BencodeError.InvalidInteger, 0)]
    [InlineData("i-e", BencodeError.InvalidInteger, 0)]
    [InlineData("i+1e", BencodeError.InvalidInteger, 0)]
    [InlineData("i1.5e", BencodeError.InvalidInteger, 0)]
    [InlineData("i 1e", BencodeError.InvalidInteger, 0)]
    [InlineData("i9223372036854775808e", BencodeError.IntegerOverflow, 0)]
    [InlineData("i-9223372036854775809e", BencodeError.IntegerOverflow, 0)]
    [InlineData("i18446744073709551616e", BencodeError.IntegerOverflow, 0)]
    [InlineData("i99999999999999999999999999e", BencodeError.IntegerOverflow, 0)]
    [InlineData("li1ei9223372036854775808ee", BencodeError.IntegerOverflow, 4)]
    [InlineData("i", BencodeError.UnexpectedEnd, 1)]
    [InlineData("i12", BencodeError.UnexpectedEnd, 3)]
    [InlineData("i-", BencodeError.UnexpectedEnd, 2)]
    // Strings: canonical length, never beyond the buffer.
    [InlineData("03:abc", BencodeError.InvalidStringLength, 0)]
    [InlineData("00:", BencodeError.InvalidStringLength, 0)]
    [InlineData("3abc", BencodeError.InvalidStringLength, 0)]
    [InlineData("l1:a03:abce", BencodeError.InvalidStringLength, 4)]
    [InlineData("5:abc", BencodeError.StringTooLong, 0)]
    [InlineData("4:abc", BencodeError.StringTooLong, 0)]
    [InlineData("99999999999:", BencodeError.StringTooLong, 0)]
    [InlineData("4294967296:abc", BencodeError.StringTooLong, 0)]
    [InlineData("l1:a99999999999999999999:xe", BencodeError.StringTooLong, 4)]
    [InlineData("3", BencodeError.StringTooLong, 0)]
    [InlineData("12", BencodeError.StringTooLong, 0)]
    [InlineData("10", BencodeError.StringTooLong, 0)]
    [InlineData("1", BencodeError.UnexpectedEnd, 1)]
    [InlineData("-1:a", BencodeError.InvalidToken, 0)]
    // Dictionaries: keys are strings, sorted as raw bytes, unique; every key has a value.
    [InlineData("d1:b0:1:a0:e", BencodeError.UnsortedKeys, 6)]
    [InlineData("d2:ab0:1:a0:e", BencodeError.UnsortedKeys, 7)]
    [InlineData("d1:\u00800:1:\u007f0:e", BencodeError.UnsortedKeys, 6)]
    [InlineData("d1:a0:1:a0:e", BencodeError.DuplicateKey, 6)]
    [InlineData("d0:0:0:0:e", BencodeError.DuplicateKey, 5)]
    [InlineData("d1:ad1:x0:1:x0:ee", BencodeError.DuplicateKey, 10)]
    [InlineData("di1e0:e", BencodeError.KeyNotString, 1)]
    [InlineData("dle", BencodeError.KeyNotString, 1)]
    [InlineData("dde", BencodeError.KeyNotString, 1)]
    [InlineData("d1:ai1ei2ee", BencodeError.KeyNotString, 7)]
    [InlineData("d1:ae", BencodeError.UnexpectedEndToken, 4)]
    [InlineData("d1:a", BencodeError.UnexpectedEnd, 4)]
    // Containers: closed, nothing after the top-level value, no stray end.
    [InlineData("l1:a", BencodeError.UnexpectedEnd, 4)]
    [InlineData("d", BencodeError.UnexpectedEnd, 1)]
    [InlineData("d1:a0:", BencodeError.UnexpectedEnd, 6)]
    [InlineData("lli1ee", BencodeError.UnexpectedEnd, 6)]
    [InlineData("", BencodeError.UnexpectedEnd, 0)]
    [InlineData("i1ei2e", BencodeError.TrailingData, 3)]
    [InlineData("le ", BencodeError.TrailingData, 2)]
    [InlineData("dee", BencodeError.TrailingData, 2)]
    [InlineData("0:\0", BencodeError.TrailingData, 2)]
    [InlineData("e", BencodeError.UnexpectedEndToken, 0)]
    [InlineData("x", BencodeError.InvalidToken, 0)]
    [InlineData("lxe", BencodeError.InvalidToken, 1)]
    [InlineData("GET / HTTP/1.1", BencodeError.InvalidToken, 0)]
    public void Read_WhenInputIsNotCanonicalBencode_FailsWithErrorAndPosition(string input, object expected, int position)
    {
        var error = (BencodeError)expected; // object: a public test cannot take an internal type
        byte[] data = TestBytes.Latin1(input);

        var reader = ReadToEnd(data);

        Assert.Equal(error, reader.Error);
        Assert.Equal(position, reader.ErrorPosition);
        Assert.True(reader.HasError);
        Assert.False(reader.IsComplete);
        Assert.Equal(BencodeTokenType.None, reader.TokenType);
    }

    [Theory]
    [InlineData("i0e")]
    [InlineData("i-1e")]
    [InlineData("0:")]
    [InlineData("le")]
    [InlineData("de")]
    [InlineData("d0:0:e")]
    [InlineData("d1:a0:2:ab0:e")]
    [InlineData("d1:\u007f0:1:\u00800:e")]
    [InlineData("d1:bd1:a0:e1:c0:e")]
    [InlineData("ld1:b0:ed1:a0:ee")]
    [InlineData("d1:ad1:a0:e1:bd1:a0:ee")]
    [InlineData("l0:0:0:e")]
    public void Read_WhenInputIsCanonical_CompletesWithoutError(string input)
    {
        var reader = ReadToEnd(TestBytes.Latin1(input));

        Assert.Equal(BencodeError.None, reader.Error);
        Assert.Equal(-1, reader.ErrorPosition);
        Assert.True(reader.IsComplete);
    }

    [Fact]
    public void Read_WhenNestedExactlyMaxDepth_Completes()
    {
        string input = new string('l', BencodeReader.MaxDepth) + new string('e', BencodeReader.MaxDepth);

        var reader = new BencodeReader(TestBytes.Latin1(input));
        int deepest = 0;
        while (reader.Read())
        {
            deepest = Math.Max(deepest, reader.Depth);
        }

        Assert.True(reader.IsComplete);
        Assert.Equal(BencodeReader.MaxDepth, deepest);
    }

    [Theory]
    [InlineData(BencodeReader.MaxDepth + 1)]
    [InlineData(100)]
    [InlineData(100_000)]
    public void Read_WhenNestedDeeperThanMaxDepth_FailsWithDepthExceeded(int depth)
    {
        string input = new string('l', depth) + new string('e', depth);

        var reader = ReadToEnd(TestBytes.Latin1(input));

        Assert.Equal(BencodeError.DepthExceeded, reader.Error);
        Assert.Equal(BencodeReader.MaxDepth, reader.ErrorPosition);
    }

    [Fact]
    public void Read_WhenDictionariesNestedDeeperThanMaxDepth_FailsWithDepthExceeded()
    {
        string input = "d" + string.Concat(Enumerable.Repeat("1:ad", BencodeReader.MaxDepth)) + "e";

        var reader = ReadToEnd(TestBytes.Latin1(input));

        Assert.Equal(BencodeError.DepthExceeded, reader.Error);
        Assert.Equal(1 + (4 * (BencodeReader.MaxDepth - 1)) + 3, reader.ErrorPosition);
    }

    [Fact]
    public void Read_AfterError_KeepsReturningFalseWithTheSameError()
    {
        var reader = new BencodeReader("l1:bx"u8);
        Assert.True(reader.Read());
        Assert.True(reader.Read());
        Assert.False(reader.Read());

        for (int i = 0; i < 3; i++)
        {
            Assert.False(reader.Read());
            Assert.Equal(BencodeError.InvalidToken, reader.Error);
            Assert.Equal(4, reader.ErrorPosition);
        }
    }

    [Fact]
    public void Read_ReportsTokenStartPositionAndDepth()
    {
        var reader = new BencodeReader("d1:ali7eee"u8);

        Assert.True(reader.Read());
        Assert.Equal((BencodeTokenType.StartDictionary, 0, 1, 1), (reader.TokenType, reader.TokenStart, reader.Position, reader.Depth));
        Assert.True(reader.Read());
        Assert.Equal((BencodeTokenType.Key, 1, 4, 1), (reader.TokenType, reader.TokenStart, reader.Position, reader.Depth));
        Assert.True(reader.Read());
        Assert.Equal((BencodeTokenType.StartList, 4, 5, 2), (reader.TokenType, reader.TokenStart, reader.Position, reader.Depth));
        Assert.True(reader.Read());
        Assert.Equal((BencodeTokenType.Integer, 5, 8, 2), (reader.TokenType, reader.TokenStart, reader.Position, reader.Depth));
        Assert.True(reader.Read());
        Assert.Equal((BencodeTokenType.End, 8, 9, 1), (reader.TokenType, reader.TokenStart, reader.Position, reader.Depth));
        Assert.True(reader.Read());
        Assert.Equal((BencodeTokenType.End, 9, 10, 0), (reader.TokenType, reader.TokenStart, reader.Position, reader.Depth));
        Assert.False(reader.Read());
        Assert.True(reader.IsComplete);
    }

    [Fact]
    public void Skip_OnStartOfNestedContainer_MovesPastItsEnd()
    {
        var reader = new BencodeReader("d1:ald1:xli1eee4:deepe1:bi2ee"u8);
        Assert.True(reader.Read()); // {
        Assert.True(reader.Read()); // "a"
        Assert.True(reader.Read()); // [

        Assert.True(reader.Skip());

        Assert.Equal(BencodeTokenType.End, reader.TokenType);
        Assert.Equal(1, reader.Depth);
        Assert.True(reader.Read());
        Assert.Equal(BencodeTokenType.Key, reader.TokenType);
        Assert.Equal("b"u8, reader.ValueSpan);
        Assert.True(reader.Read());
        Assert.Equal(2, reader.IntegerValue);
        Assert.True(reader.Read());
        Assert.False(reader.Read());
        Assert.True(reader.IsComplete);
    }

    [Fact]
    public void Skip_OnTopLevelDictionary_ConsumesTheWholeInput()
    {
        var reader = new BencodeReader("d1:ad1:bd1:cleeee"u8);
        Assert.True(reader.Read());

        Assert.True(reader.Skip());

        Assert.Equal(0, reader.Depth);
        Assert.False(reader.Read());
        Assert.True(reader.IsComplete);
    }

    [Fact]
    public void Skip_OnScalar_DoesNothingAndSucceeds()
    {
        var reader = new BencodeReader("li1e1:xe"u8);
        Assert.True(reader.Read());
        Assert.True(reader.Read());
        int position = reader.Position;

        Assert.True(reader.Skip());

        Assert.Equal(position, reader.Position);
        Assert.Equal(BencodeTokenType.Integer, reader.TokenType);
    }

    [Theory]
    [InlineData("d1:ald1:b0:1:a0:eee", BencodeError.UnsortedKeys, 11)]
    [InlineData("d1:ali1e", BencodeError.UnexpectedEnd, 8)]
    [InlineData("d1:ali03eee", BencodeError.InvalidInteger, 5)]
    public void Skip_WhenSkippedContainerIsMalformed_FailsWithTheError(string input, object expected, int position)
    {
        var error = (BencodeError)expected; // object: a public test cannot take an internal type
        var reader = new BencodeReader(TestBytes.Latin1(input));
        Assert.True(reader.Read());
        Assert.True(reader.Read());
        Assert.True(reader.Read());

        Assert.False(reader.Skip());

        Assert.Equal(error, reader.Error);
        Assert.Equal(position, reader.ErrorPosition);
    }

    private static BencodeReader ReadToEnd(byte[] data)
    {
        var reader = new BencodeReader(data);
        int reads = 0;
        while (reader.Read())
        {
            reads++;
            Assert.True(reads <= data.Length, "reader made no progress");
        }

        return reader;
    }
}
