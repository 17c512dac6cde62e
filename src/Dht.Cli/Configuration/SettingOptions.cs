using System.CommandLine;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Dht.Cli.Configuration;

/// <summary>
/// The command-line options of one command that set settings (one per setting, plus <c>--config</c> and
/// <c>--verbose</c>), and the loading of the configuration with them on top.
/// </summary>
internal sealed class SettingOptions
{
    private readonly List<(Setting Setting, Option Option)> _options = [];
    private readonly Option<string> _config = new("--config", "-c")
    {
        Description = "JSON configuration file (settings by key, as in the README); the environment and the command line override it",
        HelpName = "FILE",
    };

    private readonly Option<bool> _verbose = new("--verbose", "-v") { Description = "Log debug details on standard error (--log-level Debug)" };

    /// <param name="forClients">Only the settings a one-shot command uses.</param>
    public SettingOptions(bool forClients)
    {
        var defaults = new NodeSettings();
        foreach (var setting in SettingCatalog.All.Where(s => !forClients || s.ForClients))
        {
            string description = $"{setting.Description} [default: {setting.DefaultText ?? setting.Show(defaults)}]";
            Option option = setting switch
            {
                { IsFlag: true } => new Option<bool>(setting.Option, setting.Aliases) { Description = description },
                { IsList: true } => new Option<string[]>(setting.Option, setting.Aliases)
                {
                    Description = description,
                    HelpName = setting.HelpName,
                    AllowMultipleArgumentsPerToken = true,
                },
                _ => new Option<string>(setting.Option, setting.Aliases) { Description = description, HelpName = setting.HelpName },
            };
            _options.Add((setting, option));
        }
    }

    /// <summary>Options that take no value when used alone (for the short form's rewriting).</summary>
    public static IEnumerable<string> FlagNames =>
        SettingCatalog.All.Where(s => s.IsFlag).SelectMany(s => s.Aliases.Prepend(s.Option)).Concat(["--verbose", "-v"]);

    public void AddTo(Command command)
    {
        foreach (var (_, option) in _options)
        {
            command.Options.Add(option);
        }

        command.Options.Add(_config);
        command.Options.Add(_verbose);
    }

    /// <summary>Loads the configuration with this command's options on top; on an error, reports it and returns false.</summary>
    public bool TryLoad(ParseResult parse, CliContext context, [NotNullWhen(true)] out LoadedConfiguration? configuration)
    {
        if (ConfigurationLoader.TryLoad(CommandLineValues(parse), context.Environment, parse.GetValue(_config), out configuration, out string? error))
        {
            return true;
        }

        context.Error.WriteLine($"Error: {error}");
        return false;
    }

    /// <summary>The settings given on the command line, each with the option that gave it.</summary>
    private List<SettingValue> CommandLineValues(ParseResult parse)
    {
        List<SettingValue> values = [];
        foreach (var (setting, option) in _options)
        {
            if (parse.GetResult(option) is not { Implicit: false })
            {
                continue;
            }

            switch (option)
            {
                case Option<bool> flag:
                    values.Add(new SettingValue(setting.Key, parse.GetValue(flag) ? "true" : "false", setting.Option));
                    break;
                case Option<string[]> list:
                    var entries = parse.GetValue(list) ?? [];
                    for (int i = 0; i < entries.Length; i++)
                    {
                        values.Add(new SettingValue($"{setting.Key}:{i.ToString(CultureInfo.InvariantCulture)}", entries[i], setting.Option));
                    }

                    break;
                case Option<string> text:
                    values.Add(new SettingValue(setting.Key, parse.GetValue(text) ?? "", setting.Option));
                    break;
            }
        }

        if (parse.GetValue(_verbose))
        {
            values.Add(new SettingValue("LogLevel", "Debug", "--verbose"));
        }

        return values;
    }
}
