// The one line a node without a shell logs every StatusInterval, so that its log tells its state over time.
using Microsoft.Extensions.Logging;

namespace Dht.Cli;

/// <summary>Logs a node's status in one line: contacts, what it holds, its traffic so far.</summary>
internal static partial class StatusLine
{
    public static void Log(ILogger logger, NodeStatus status) =>
        LogStatus(logger, status.Contacts, status.StoredValues, status.StoredItems, status.Peers, status.QueriesReceived, status.QueriesSent, status.Timeouts);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "{Contacts} contacts, {Values} values, {Items} items, {Peers} peers held; queries {QueriesIn} in, {QueriesOut} out, {Timeouts} timed out")]
    private static partial void LogStatus(ILogger logger, int contacts, int values, int items, int peers, long queriesIn, long queriesOut, long timeouts);
}
