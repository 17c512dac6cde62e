// Reads the settings from their three sources through Microsoft.Extensions.Configuration, each overriding the
// one before: a JSON file (--config), environment variables (DHT_ prefix, "__" for ':'), the command line.
// Every value is checked here, once, and an error names the setting and the source it came from.
using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Dht.Cli.Configuration;

/// <summary>Loads and checks the configuration.</summary>
internal static class ConfigurationLoader
{
    private const string Default = "default";
    private const string LoggingSection = "Logging";
    private const string LogLevelKey = "LogLevel";

    /// <param name="commandLine">Values given on the command line, with the option that gave each.</param>
    /// <param name="environment">The environment variables (only those starting with <c>DHT_</c> are read).</param>
    /// <param name="configFile">A JSON file, or null for none.</param>
    /// <param name="configuration">The effective configuration, when every value is good.</param>
    /// <param name="error">What is wrong, naming the setting and its source.</param>
    public static bool TryLoad(
        IEnumerable<SettingValue> commandLine, IDictionary environment, string? configFile,
        [NotNullWhen(true)] out LoadedConfiguration? configuration, [NotNullWhen(false)] out string? error)
    {
        configuration = null;
        var builder = new ConfigurationBuilder();
        string? filePath = null;
        if (configFile is not null)
        {
            filePath = Path.GetFullPath(configFile);
            if (!File.Exists(filePath))
            {
                error = $"config file '{filePath}' does not exist";
                return false;
            }

            builder.AddJsonFile(filePath, optional: false, reloadOnChange: false);
        }

        builder.Add(LabelledValues.FromEnvironment(environment));
        builder.Add(new LabelledValues("command line", commandLine));
        IConfigurationRoot root;
        try
        {
            root = builder.Build();
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or IOException or UnauthorizedAccessException)
        {
            string detail = ex.InnerException is { } inner ? $"{ex.Message} {inner.Message}" : ex.Message;
            error = $"config file '{filePath}': {detail}";
            return false;
        }

        using (root as IDisposable)
        {
            var providers = root.Providers.ToList();
            string Label(IConfigurationProvider provider, string key) =>
                provider is LabelledValues labelled ? $"{labelled.Kind} {labelled.NameOf(key)}" : $"file {filePath}";

            // A misspelt key would otherwise be ignored without a word.
            foreach (var provider in providers)
            {
                foreach (string key in KeysWithValues(provider, null))
                {
                    if (!IsKnown(key))
                    {
                        error = $"unknown setting '{key}' ({Label(provider, key)})";
                        return false;
                    }
                }
            }

            var settings = new NodeSettings();
            var sources = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var setting in SettingCatalog.All)
            {
                if (setting.IsList)
                {
                    if (!TryApplyList(setting, settings, providers, Label, out string? source, out error))
                    {
                        return false;
                    }

                    sources[setting.Key] = source;
                    continue;
                }

                sources[setting.Key] = Default;
                for (int i = providers.Count - 1; i >= 0; i--)
                {
                    if (providers[i].TryGet(setting.Key, out string? value) && value is not null)
                    {
                        string label = Label(providers[i], setting.Key);
                        if (setting.Apply(settings, value) is { } problem)
                        {
                            error = Problem(setting.Key, label, problem, value);
                            return false;
                        }

                        sources[setting.Key] = label;
                        break;
                    }
                }
            }

            if (!TryApplyLogging(settings, sources, providers, Label, out error))
            {
                return false;
            }

            // Rules across settings (a soft timeout longer than the query timeout, a default ttl above the maximum).
            if (settings.Options.FindProblems() is [var bad, ..])
            {
                string key = bad.Key.StartsWith("StorageLimits:", StringComparison.Ordinal) ? "Storage:" + bad.Key["StorageLimits:".Length..] : bad.Key;
                key = SettingCatalog.Find(key)?.Key ?? key;
                error = $"setting '{key}' ({(sources.TryGetValue(key, out string? s) ? s : Default)}): {key} {bad.Problem}";
                return false;
            }

            configuration = new LoadedConfiguration(settings, sources);
            error = null;
            return true;
        }
    }

    /// <summary>The format of every bad value: <c>setting 'Port' (environment DHT_PORT) must be 0 to 65535, was '70000'</c>.</summary>
    private static string Problem(string key, string source, string problem, string value) => $"setting '{key}' ({source}) {problem}, was '{value}'";

    /// <summary>
    /// A list comes whole from the highest source that sets it (as entries <c>Bootstrap:0</c>, <c>Bootstrap:1</c>… or as
    /// one value separated by commas), rather than merged entry by entry, which would mix lists of different sources.
    /// </summary>
    private static bool TryApplyList(
        Setting setting, NodeSettings settings, List<IConfigurationProvider> providers, Func<IConfigurationProvider, string, string> label,
        out string source, [NotNullWhen(false)] out string? error)
    {
        source = Default;
        error = null;
        for (int i = providers.Count - 1; i >= 0; i--)
        {
            var provider = providers[i];
            List<(string Key, string Value)> entries = [];
            var indexes = provider.GetChildKeys([], setting.Key).Distinct(StringComparer.OrdinalIgnoreCase)
                .OrderBy(k => int.TryParse(k, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : int.MaxValue);
            foreach (string index in indexes)
            {
                string key = $"{setting.Key}{ConfigurationPath.KeyDelimiter}{index}";
                if (provider.TryGet(key, out string? value) && value is not null)
                {
                    entries.Add((key, value));
                }
            }

            if (entries.Count == 0 && provider.TryGet(setting.Key, out string? whole) && whole is not null)
            {
                entries.AddRange(whole.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(v => (setting.Key, v)));
                source = label(provider, setting.Key);
                if (entries.Count == 0)
                {
                    return true; // set, to an empty list: overrides a list from a lower source
                }
            }

            if (entries.Count == 0)
            {
                continue;
            }

            foreach (var (key, value) in entries)
            {
                if (setting.Apply(settings, value) is { } problem)
                {
                    error = Problem(setting.Key, label(provider, key), problem, value);
                    return false;
                }
            }

            var labels = entries.Select(e => label(provider, e.Key)).Distinct().ToList();
            source = labels.Count == 1 || provider is not LabelledValues labelled
                ? labels[0]
                : $"{labelled.Kind} {string.Join(", ", entries.Select(e => labelled.NameOf(e.Key)).Distinct())}";
            return true;
        }

        return true;
    }

    /// <summary>
    /// The standard logging section, as a .NET host reads it: <c>Logging:LogLevel:Default</c> and a level per category
    /// (<c>Logging:LogLevel:Dht</c>), also as <c>Logging:Console:LogLevel:…</c> (the console is the only provider). A
    /// later source overrides an earlier one entry by entry. The LogLevel setting, when given, wins over Default.
    /// </summary>
    private static bool TryApplyLogging(
        NodeSettings settings, Dictionary<string, string> sources, List<IConfigurationProvider> providers,
        Func<IConfigurationProvider, string, string> label, [NotNullWhen(false)] out string? error)
    {
        error = null;
        bool levelGiven = sources[LogLevelKey] != Default;
        foreach (var provider in providers)
        {
            foreach (string key in KeysWithValues(provider, LoggingSection))
            {
                if (LoggingCategory(key) is not { } category || !provider.TryGet(key, out string? value) || value is null)
                {
                    continue;
                }

                if (!SettingCatalog.TryParseLogLevel(value, out var level))
                {
                    error = Problem(key, label(provider, key), SettingCatalog.LogLevelExpected, value);
                    return false;
                }

                if (!string.Equals(category, "Default", StringComparison.OrdinalIgnoreCase))
                {
                    settings.LogLevels[category] = level;
                }
                else if (!levelGiven)
                {
                    settings.LogLevel = level;
                    sources[LogLevelKey] = label(provider, key);
                }
            }
        }

        return true;
    }

    /// <summary>The category of a level in the logging section (<c>Default</c>, <c>Dht.Node</c>), or null for any other key.</summary>
    private static string? LoggingCategory(string key)
    {
        foreach (string prefix in (string[])[$"{LoggingSection}:LogLevel:", $"{LoggingSection}:Console:LogLevel:"])
        {
            if (key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && key.Length > prefix.Length && !key.AsSpan(prefix.Length).Contains(':'))
            {
                return key[prefix.Length..];
            }
        }

        return null;
    }

    private static bool IsKnown(string key)
    {
        if (SettingCatalog.Find(key) is not null || LoggingCategory(key) is not null)
        {
            return true;
        }

        // Entries of a list: Bootstrap:0, Bootstrap:1, ...
        int colon = key.LastIndexOf(':');
        return colon > 0 && SettingCatalog.Find(key[..colon]) is { IsList: true }
            && key[(colon + 1)..].All(char.IsAsciiDigit) && colon < key.Length - 1;
    }

    /// <summary>Every key of <paramref name="provider"/> that holds a value, at any depth.</summary>
    private static IEnumerable<string> KeysWithValues(IConfigurationProvider provider, string? parent)
    {
        foreach (string child in provider.GetChildKeys([], parent).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            string key = parent is null ? child : ConfigurationPath.Combine(parent, child);
            if (provider.TryGet(key, out string? value) && value is not null)
            {
                yield return key;
            }

            foreach (string deeper in KeysWithValues(provider, key))
            {
                yield return deeper;
            }
        }
    }
}
