using Dht.Protocol.Krpc;
using Dht.Protocol.Tests.Support;

namespace Dht.Protocol.Tests.Krpc;

public sealed class KrpcParserFuzzTests
{
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(20250102)]
    public void Parse_OnMutatedMessages_NeverThrowsAndOkMessagesReencode(int seed)
    {
        const int iterations = 5000;
        var samples = SampleDatagrams.All().Select(TestBytes.Latin1).ToArray();
        var mutator = new DatagramMutator(seed);
        var message = new KrpcMessage();
        var again = new KrpcMessage();
        var nodes = new List<NodeInfo>();
        var peers = new List<NetEndPoint>();

        for (int iteration = 0; iteration < iterations; iteration++)
        {
            byte[] input = mutator.Mutate(samples[iteration % samples.Length]);
            string context = $"seed {seed}, iteration {iteration}, input {Convert.ToHexString(input)}";
            try
            {
                var result = KrpcParser.Parse(input, message);
                Assert.True(Enum.IsDefined(result.Status), context);
                if (!result.IsOk)
                {
                    Assert.False(string.IsNullOrEmpty(result.Reason), context);
                    continue;
                }

                // Whatever the parser accepts, the rest of the stack can read and send back.
                nodes.Clear();
                peers.Clear();
                CompactEncoding.TryReadNodes(message.Nodes.Span, ipv6: false, nodes);
                CompactEncoding.TryReadNodes(message.Nodes6.Span, ipv6: true, nodes);
                KrpcLists.ReadPeers(message.Values.Span, peers);
                KrpcLists.ReadWant(message.Want.Span);

                byte[] encoded = TestBytes.Encode(message);
                var reparsed = KrpcParser.Parse(encoded, again);
                Assert.True(reparsed.IsOk, $"{context}: re-encoded message refused ({reparsed.Reason})");
                Assert.True(message.Kind == again.Kind && message.Method == again.Method && message.Fields == again.Fields, context);
                Assert.True(TestBytes.Encode(again).AsSpan().SequenceEqual(encoded), $"{context}: encoding not stable");
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"{context}: {ex}");
            }
        }
    }
}
