using Microsoft.Extensions.Logging;

namespace Dht.Cli;

/// <summary>Logging as the command does it: one line per message, all on standard error (standard output carries the answers).</summary>
internal static class ConsoleLogging
{
    public static ILoggerFactory Create(LogLevel level) => LoggerFactory.Create(b => b
        .SetMinimumLevel(level)
        .AddSimpleConsole(o => o.SingleLine = true)
        .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
}
