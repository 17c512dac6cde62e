namespace Dht.Telemetry;

/// <summary>The values of the <c>dht.outcome</c> tag.</summary>
internal static class Outcomes
{
    public const string Found = "found";
    public const string NotFound = "not_found";
    public const string Deleted = "deleted";
    public const string Stored = "stored";
    public const string NotStored = "not_stored";
    public const string Answered = "answered";
    public const string NoNodeAnswered = "no_node_answered";
    public const string Cancelled = "cancelled";
    public const string Error = "error";

    public static string Of(ReadStatus status) => status switch
    {
        ReadStatus.Found => Found,
        ReadStatus.Deleted => Deleted,
        ReadStatus.NotFound => NotFound,
        _ => NoNodeAnswered,
    };

    public static string Of(WriteStatus status) => status switch
    {
        WriteStatus.Stored => Stored,
        WriteStatus.NotStored => NotStored,
        _ => NoNodeAnswered,
    };
}
