using Dht.Protocol.Krpc;

namespace Dht.Storage;

/// <summary>How a put's outcome is answered on the wire.</summary>
internal static class StoreOutcomeExtensions
{
    /// <summary>
    /// The KRPC error code to answer <paramref name="outcome"/> with, or null to answer normally.
    /// <see cref="StoreOutcome.KeptExisting"/> is 302: BEP 44 requires rejecting a put whose seq is not
    /// higher (unless it refreshes the same value), and for named values it tells the writer its value did
    /// not win. A full store or exhausted quota is 202 (server error): the writer should not count this node
    /// as holding the value, and nothing about the request itself was wrong.
    /// A named value's seq beyond the clock window (<see cref="StoreOutcome.RejectedSeqTooNew"/>) is 302 as
    /// well rather than 206: the signature (there is none) is not at fault, the version is, and 302 is the
    /// code a writer already reads as "your seq was not accepted" (the message says which way).
    /// </summary>
    public static int? ToKrpcErrorCode(this StoreOutcome outcome) => outcome switch
    {
        StoreOutcome.Stored or StoreOutcome.Refreshed => null,
        StoreOutcome.KeptExisting or StoreOutcome.RejectedSeqTooOld or StoreOutcome.RejectedSeqTooNew => KrpcErrorCode.SequenceTooOld,
        StoreOutcome.RejectedTooLarge => KrpcErrorCode.ValueTooBig,
        StoreOutcome.RejectedSaltTooBig => KrpcErrorCode.SaltTooBig,
        StoreOutcome.RejectedInvalidSignature => KrpcErrorCode.InvalidSignature,
        StoreOutcome.RejectedCasMismatch => KrpcErrorCode.CasMismatch,
        StoreOutcome.RejectedQuota or StoreOutcome.RejectedStoreFull => KrpcErrorCode.Server,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };
}
