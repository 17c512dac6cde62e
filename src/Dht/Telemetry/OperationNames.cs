namespace Dht.Telemetry;

/// <summary>
/// The application's operations, as the <c>dht.operation</c> tag of <c>dht.operation.duration</c> and the names of
/// their spans (<c>dht.</c> and the operation).
/// </summary>
internal static class OperationNames
{
    public const string Bootstrap = "bootstrap";
    public const string Ping = "ping";
    public const string FindNode = "find_node";
    public const string Announce = "announce";
    public const string GetPeers = "get_peers";
    public const string Put = "put";
    public const string Get = "get";
    public const string Delete = "delete";
    public const string PutItem = "put_item";
    public const string GetItem = "get_item";
}
