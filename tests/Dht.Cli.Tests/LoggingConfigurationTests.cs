using System.Collections;
using Dht.Cli.Configuration;
using Microsoft.Extensions.Logging;

namespace Dht.Cli.Tests;

/// <summary>The standard <c>Logging</c> section, the LogLevel setting beside it, and the status line's category.</summary>
public sealed class LoggingConfigurationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("dht-logging-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void LoggingSection_SetsTheDefaultAndCategoryLevels()
    {
        string file = WriteFile("""{ "Logging": { "LogLevel": { "Default": "Information", "Dht": "Debug" } } }""");

        var config = Load([], [], file);

        Assert.Equal(LogLevel.Information, config.Settings.LogLevel);
        Assert.Equal(LogLevel.Debug, config.Settings.LogLevels["Dht"]);
        Assert.Equal($"file {file}", config.SourceOf("LogLevel"));
    }

    [Fact]
    public void LoggingSection_FromTheEnvironment_OverridesTheFileEntryByEntry()
    {
        string file = WriteFile("""{ "Logging": { "LogLevel": { "Dht": "Debug", "Dht.Transport": "Error" }, "Console": { "LogLevel": { "Dht.Node": "Trace" } } } }""");

        var config = Load([], new Hashtable { ["DHT_LOGGING__LOGLEVEL__DHT"] = "Warning" }, file);

        Assert.Equal(LogLevel.Warning, config.Settings.LogLevels["Dht"]);
        Assert.Equal(LogLevel.Error, config.Settings.LogLevels["Dht.Transport"]);
        Assert.Equal(LogLevel.Trace, config.Settings.LogLevels["Dht.Node"]);
        Assert.Equal(LogLevel.Warning, config.Settings.LogLevel); // Default not given: the default stays
    }

    [Fact]
    public void LogLevelSetting_WinsOverTheSectionsDefault()
    {
        string file = WriteFile("""{ "Logging": { "LogLevel": { "Default": "Information" } } }""");

        var config = Load([new SettingValue("LogLevel", "Error", "--log-level")], [], file);

        Assert.Equal(LogLevel.Error, config.Settings.LogLevel);
        Assert.Equal("command line --log-level", config.SourceOf("LogLevel"));
    }

    [Fact]
    public void BadLevelInTheSection_IsNamedWithItsSource()
    {
        string file = WriteFile("""{ "Logging": { "LogLevel": { "Dht": "Loud" } } }""");

        Assert.Equal(
            $"setting 'Logging:LogLevel:Dht' (file {file}) must be Trace, Debug, Information, Warning, Error, Critical or None, was 'Loud'",
            LoadError([], [], file));
    }

    [Fact]
    public void OtherLoggingKeys_AreStillUnknown()
    {
        string file = WriteFile("""{ "Logging": { "Console": { "FormatterName": "json" } } }""");

        Assert.Equal($"unknown setting 'Logging:Console:FormatterName' (file {file})", LoadError([], [], file));
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("1m", 60)]
    [InlineData("0", 0)]
    public void StatusInterval_TakesADurationOrZero(string value, int seconds)
    {
        var config = Load([new SettingValue("StatusInterval", value, "--status-interval")], []);

        Assert.Equal(TimeSpan.FromSeconds(seconds), config.Settings.StatusInterval);
    }

    [Fact]
    public void StatusInterval_RefusesANegativeDuration() =>
        Assert.Equal(
            "setting 'StatusInterval' (command line --status-interval) must be a duration such as 30s, 1m or 1h, or 0 for none, was '-1s'",
            LoadError([new SettingValue("StatusInterval", "-1s", "--status-interval")], []));

    [Fact]
    public void StatusLine_ShowsAtTheDefaultLevel_WhileOtherInformationDoesNot()
    {
        using var factory = ConsoleLogging.Create(new NodeSettings());

        Assert.True(factory.CreateLogger(ConsoleLogging.StatusCategory).IsEnabled(LogLevel.Information));
        Assert.False(factory.CreateLogger("Dht.Node").IsEnabled(LogLevel.Information));
        Assert.True(factory.CreateLogger("Dht.Node").IsEnabled(LogLevel.Warning));
    }

    [Theory]
    [InlineData("Dht", LogLevel.Warning, false)]
    [InlineData("Dht.Status", LogLevel.Error, false)]
    [InlineData("Dht", LogLevel.Debug, true)]
    [InlineData("Dht.Node", LogLevel.Error, true)] // another category: the status line keeps its own rule
    public void StatusLine_FollowsALoggingEntryThatCoversIt(string category, LogLevel level, bool shown)
    {
        var settings = new NodeSettings();
        settings.LogLevels[category] = level;
        using var factory = ConsoleLogging.Create(settings);

        Assert.Equal(shown, factory.CreateLogger(ConsoleLogging.StatusCategory).IsEnabled(LogLevel.Information));
    }

    [Fact]
    public void StatusLine_IsOff_AtLevelNone()
    {
        using var factory = ConsoleLogging.Create(new NodeSettings { LogLevel = LogLevel.None });

        Assert.False(factory.CreateLogger(ConsoleLogging.StatusCategory).IsEnabled(LogLevel.Information));
    }

    [Fact]
    public void CategoryLevels_ApplyToTheConsoleLogger()
    {
        var settings = new NodeSettings();
        settings.LogLevels["Dht"] = LogLevel.Debug;
        using var factory = ConsoleLogging.Create(settings);

        Assert.True(factory.CreateLogger("Dht.Node").IsEnabled(LogLevel.Debug));
        Assert.False(factory.CreateLogger("Other").IsEnabled(LogLevel.Information));
    }

    private static LoadedConfiguration Load(SettingValue[] commandLine, Hashtable environment, string? file = null)
    {
        Assert.True(ConfigurationLoader.TryLoad(commandLine, environment, file, out var config, out string? error), error);
        return config;
    }

    private static string LoadError(SettingValue[] commandLine, Hashtable environment, string? file = null)
    {
        Assert.False(ConfigurationLoader.TryLoad(commandLine, environment, file, out _, out string? error));
        return error;
    }

    private string WriteFile(string json)
    {
        string path = Path.Combine(_directory, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }
}
