using Dht.Cli.Configuration;
using Microsoft.Extensions.Logging;

namespace Dht.Cli;

/// <summary>Logging as the command does it: one line per message, all on standard error (standard output carries the answers).</summary>
internal static class ConsoleLogging
{
    /// <summary>
    /// The category of a node's periodic status line. It is logged at Information and shown at any default level
    /// but None (the default, Warning, would hide it); a <c>Logging:LogLevel</c> entry for it or for <c>Dht</c> decides instead.
    /// </summary>
    public const string StatusCategory = "Dht.Status";

    /// <summary>The default level, the levels of the <c>Logging</c> section per category, and the status line's rule.</summary>
    public static ILoggerFactory Create(NodeSettings settings) => LoggerFactory.Create(b =>
    {
        b.SetMinimumLevel(settings.LogLevel);
        foreach (var (category, level) in settings.LogLevels)
        {
            b.AddFilter(category, level);
        }

        if (settings.LogLevel != LogLevel.None && !settings.LogLevels.Keys.Any(Covers))
        {
            b.AddFilter(StatusCategory, LogLevel.Information);
        }

        b.AddSimpleConsole(o => o.SingleLine = true)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    });

    // A category rule applies to its sub-categories ("Dht" to "Dht.Status"), as the logging filter reads it.
    private static bool Covers(string category) =>
        StatusCategory.StartsWith(category, StringComparison.OrdinalIgnoreCase)
        && (category.Length == StatusCategory.Length || StatusCategory[category.Length] == '.');
}
