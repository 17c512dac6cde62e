using Dht.Protocol.Krpc;
using Dht.Storage;

namespace Dht.Tests.Storage;

public sealed class StoreOutcomeExtensionsTests
{
    [Theory]
    [InlineData(StoreOutcome.Stored, null)]
    [InlineData(StoreOutcome.Refreshed, null)]
    [InlineData(StoreOutcome.KeptExisting, KrpcErrorCode.SequenceTooOld)]
    [InlineData(StoreOutcome.RejectedSeqTooOld, KrpcErrorCode.SequenceTooOld)]
    [InlineData(StoreOutcome.RejectedTooLarge, KrpcErrorCode.ValueTooBig)]
    [InlineData(StoreOutcome.RejectedSaltTooBig, KrpcErrorCode.SaltTooBig)]
    [InlineData(StoreOutcome.RejectedInvalidSignature, KrpcErrorCode.InvalidSignature)]
    [InlineData(StoreOutcome.RejectedCasMismatch, KrpcErrorCode.CasMismatch)]
    [InlineData(StoreOutcome.RejectedQuota, KrpcErrorCode.Server)]
    [InlineData(StoreOutcome.RejectedStoreFull, KrpcErrorCode.Server)]
    internal void ToKrpcErrorCode_MapsEveryOutcome(StoreOutcome outcome, int? expected)
    {
        Assert.Equal(expected, outcome.ToKrpcErrorCode());
    }

    [Fact]
    public void ToKrpcErrorCode_CoversEveryOutcome()
    {
        foreach (var outcome in Enum.GetValues<StoreOutcome>())
        {
            _ = outcome.ToKrpcErrorCode();
        }
    }
}
