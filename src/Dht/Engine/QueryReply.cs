namespace Dht.Engine;

/// <summary>How a query extension answered: with its reply, or with a KRPC error.</summary>
internal readonly record struct QueryReply(int ErrorCode, string? ErrorMessage)
{
    public static QueryReply Ok => default;

    public bool IsError => ErrorCode != 0;

    public static QueryReply Error(int code, string message) => new(code, message);
}
