using Dht.Protocol.Bencode;
using Dht.Protocol.Tests.Support;

namespace Dht.Protocol.Tests.Bencode;

public sealed class BencodeReaderFuzzTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(20250101)]
    public void Read_OnMutatedMessages_TerminatesWithoutThrowing(int seed)
    {
        const int iterations = 5000;
        var samples = SampleDatagrams.All().Select(TestBytes.Latin1).ToArray();
        var mutator = new DatagramMutator(seed);

        for (int iteration = 0; iteration < iterations; iteration++)
        {
            byte[] input = mutator.Mutate(samples[iteration % samples.Length]);
            string context = $"seed {seed}, iteration {iteration}, input {Convert.ToHexString(input)}";
            try
            {
                CheckReader(input, context);
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"{context}: {ex}");
            }
        }
    }

    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    public void Read_OnRandomBytes_TerminatesWithoutThrowing(int seed)
    {
        var random = new Random(seed);
        for (int iteration = 0; iteration < 5000; iteration++)
        {
            byte[] input = new byte[random.Next(0, 64)];
            random.NextBytes(input);
            string context = $"seed {seed}, iteration {iteration}, input {Convert.ToHexString(input)}";
            try
            {
                CheckReader(input, context);
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"{context}: {ex}");
            }
        }
    }

    private static void CheckReader(byte[] input, string context)
    {
        var reader = new BencodeReader(input);
        int reads = 0;
        while (reader.Read())
        {
            // Every token consumes at least one byte, so a loop that reads more often than that is stuck.
            reads++;
            Assert.True(reads <= input.Length, $"{context}: no progress");
            Assert.InRange(reader.Position, 1, input.Length);
            Assert.InRange(reader.Depth, 0, BencodeReader.MaxDepth);
            if (reader.TokenType is BencodeTokenType.String or BencodeTokenType.Key)
            {
                Assert.True(input.AsSpan().Overlaps(reader.ValueSpan) || reader.ValueSpan.IsEmpty, context);
            }
        }

        // Stopping without an error means exactly one complete value and nothing after it.
        Assert.True(reader.HasError || reader.IsComplete, $"{context}: stopped without error or completion");
        if (reader.HasError)
        {
            Assert.InRange(reader.ErrorPosition, 0, input.Length);
        }

        // Skip from the top must agree with Read about whether the input is well formed.
        var skipper = new BencodeReader(input);
        bool ok = skipper.Read() && skipper.Skip() && !skipper.Read() && !skipper.HasError;
        Assert.Equal(reader.IsComplete, ok);
    }
}
