namespace Dht.Cli.Tests;

/// <summary>The value-size limit as the messages state it: 1000 bytes encoded is a 996-byte value.</summary>
public sealed class ValueSizeTests
{
    [Theory]
    [InlineData(1000, 996)]
    [InlineData(12, 9)]
    [InlineData(11, 9)]
    [InlineData(13, 10)]
    [InlineData(3, 1)]
    [InlineData(2, 0)]
    public void Largest_IsTheLongestValueWhoseEncodingFits(int limit, int largest)
    {
        Assert.Equal(largest, ValueSize.Largest(limit));
        Assert.True(ValueSize.Encoded(largest) <= limit);
        Assert.True(ValueSize.Encoded(largest + 1) > limit);
    }

    [Fact]
    public void Check_AcceptsTheLargest_AndNamesItWhenRefusing()
    {
        Assert.Null(ValueSize.Check(996, 1000));
        Assert.Equal(
            "the value is 1000 bytes; the largest value is 996 bytes (1000 bytes with its length prefix, the protocol's limit)",
            ValueSize.Check(1000, 1000));
    }
}
