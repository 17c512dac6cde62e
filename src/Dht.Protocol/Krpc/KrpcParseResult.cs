namespace Dht.Protocol.Krpc;

/// <summary>Status of a decode and, for failures, a short reason fit to send back in a KRPC error.</summary>
internal readonly record struct KrpcParseResult(KrpcParseStatus Status, string? Reason)
{
    public static KrpcParseResult Ok => new(KrpcParseStatus.Ok, null);

    public bool IsOk => Status == KrpcParseStatus.Ok;

    public static KrpcParseResult Malformed(string reason) => new(KrpcParseStatus.Malformed, reason);
}
