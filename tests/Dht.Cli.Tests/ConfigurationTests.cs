using System.Collections;
using Dht.Cli.Configuration;

namespace Dht.Cli.Tests;

/// <summary>
/// Settings from a JSON file, DHT_ environment variables and the command line, each overriding the one before;
/// bad values named with their source; <c>config show</c>. In-process, with the environment given as a dictionary.
/// </summary>
public sealed class ConfigurationTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly string _directory = Directory.CreateTempSubdirectory("dht-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void NoSources_GiveTheDefaults()
    {
        var config = Load([], []);

        Assert.Equal(6881, config.Settings.Options.Port);
        Assert.Equal(8, config.Settings.Options.BucketSize);
        Assert.Equal(TimeSpan.FromSeconds(2), config.Settings.Options.QueryTimeout);
        Assert.Equal(10_000, config.Settings.Options.StorageLimits.MaxItems);
        Assert.Null(config.Settings.OtlpEndpoint);
        Assert.All(SettingCatalog.All, s => Assert.Equal("default", config.SourceOf(s.Key)));
    }

    [Fact]
    public void EachSource_OverridesTheOneBefore()
    {
        string file = WriteFile("""{ "Port": 7000, "Alpha": 4, "BucketSize": 10, "Storage": { "MaxItems": 500 } }""");

        var config = Load(
            [new SettingValue("Port", "7200", "--port")],
            new Hashtable { ["DHT_PORT"] = "7100", ["DHT_ALPHA"] = "5" },
            file);

        Assert.Equal(7200, config.Settings.Options.Port);
        Assert.Equal("command line --port", config.SourceOf("Port"));
        Assert.Equal(5, config.Settings.Options.Alpha);
        Assert.Equal("environment DHT_ALPHA", config.SourceOf("Alpha"));
        Assert.Equal(10, config.Settings.Options.BucketSize);
        Assert.Equal($"file {file}", config.SourceOf("BucketSize"));
        Assert.Equal(500, config.Settings.Options.StorageLimits.MaxItems);
        Assert.Equal("default", config.SourceOf("SoftTimeout"));
    }

    [Fact]
    public void EnvironmentSections_UseDoubleUnderscores_AndIgnoreCase()
    {
        var config = Load([], new Hashtable
        {
            ["DHT_STORAGE__MAXITEMS"] = "42",
            ["dht_storage__maxttl"] = "36h",
            ["DHT_STORAGE__DEFAULTTTL"] = "90m",
            ["DHT_ENABLENAMEDVALUES"] = "false",
            ["DHT_QUERYTIMEOUT"] = "00:00:03",
            ["OTHER_PORT"] = "1",
        });

        Assert.Equal(42, config.Settings.Options.StorageLimits.MaxItems);
        Assert.Equal("environment DHT_STORAGE__MAXITEMS", config.SourceOf("Storage:MaxItems"));
        Assert.Equal(TimeSpan.FromHours(36), config.Settings.Options.StorageLimits.MaxTtl);
        Assert.Equal(TimeSpan.FromMinutes(90), config.Settings.Options.StorageLimits.DefaultTtl);
        Assert.False(config.Settings.Options.EnableNamedValues);
        Assert.Equal(TimeSpan.FromSeconds(3), config.Settings.Options.QueryTimeout);
        Assert.Equal(6881, config.Settings.Options.Port);
    }

    [Fact]
    public void BootstrapList_ComesWholeFromTheHighestSourceThatSetsIt()
    {
        string file = WriteFile("""{ "Bootstrap": ["127.0.0.1:1001", "127.0.0.1:1002", "127.0.0.1:1003"] }""");

        var fromFile = Load([], [], file);
        var fromEnvironment = Load([], new Hashtable { ["DHT_BOOTSTRAP__0"] = "127.0.0.1:2001" }, file);
        var fromCommandLine = Load(
            [new SettingValue("Bootstrap:0", "127.0.0.1:3001", "--bootstrap"), new SettingValue("Bootstrap:1", "127.0.0.1:3002", "--bootstrap")],
            new Hashtable { ["DHT_BOOTSTRAP__0"] = "127.0.0.1:2001" }, file);
        var commaSeparated = Load([], new Hashtable { ["DHT_BOOTSTRAP"] = "127.0.0.1:4001, 127.0.0.1:4002" });

        Assert.Equal(["127.0.0.1:1001", "127.0.0.1:1002", "127.0.0.1:1003"], fromFile.Settings.Options.Bootstrap);
        Assert.Empty(fromFile.Settings.Options.BootstrapNodes); // resolved when the command runs
        Assert.Equal(["127.0.0.1:2001"], fromEnvironment.Settings.Options.Bootstrap);
        Assert.Equal("environment DHT_BOOTSTRAP__0", fromEnvironment.SourceOf("Bootstrap"));
        Assert.Equal(["127.0.0.1:3001", "127.0.0.1:3002"], fromCommandLine.Settings.Options.Bootstrap);
        Assert.Equal("command line --bootstrap", fromCommandLine.SourceOf("Bootstrap"));
        Assert.Equal(["127.0.0.1:4001", "127.0.0.1:4002"], commaSeparated.Settings.Options.Bootstrap);
    }

    [Theory]
    [InlineData("Port", "70000", "must be 0 to 65535, was '70000'")]
    [InlineData("Port", "abc", "must be 0 to 65535, was 'abc'")]
    [InlineData("Alpha", "0", "must be a positive whole number, was '0'")]
    [InlineData("BucketSize", "65", "must be 1 to 64, was '65'")]
    [InlineData("SoftTimeout", "fast", "must be a positive duration such as 500ms, 2s, 15m, 24h or 00:00:02, was 'fast'")]
    [InlineData("QueryTimeout", "5", "must be a positive duration such as 500ms, 2s, 15m, 24h or 00:00:02, was '5'")]
    [InlineData("ReadOnly", "maybe", "must be true or false, was 'maybe'")]
    [InlineData("Bind", "nonsense", "must be an IP address, was 'nonsense'")]
    [InlineData("Bootstrap:0", "nohostport", "must be HOST:PORT with a port from 1 to 65535, was 'nohostport'")]
    [InlineData("LogLevel", "Loud", "must be Trace, Debug, Information, Warning, Error, Critical or None, was 'Loud'")]
    [InlineData("OtlpEndpoint", "localhost:4317", "must be an http:// or https:// URL, was 'localhost:4317'")]
    [InlineData("OtlpProtocol", "udp", "must be grpc or http/protobuf, was 'udp'")]
    [InlineData("Storage:MaxItems", "-5", "must be a positive whole number, was '-5'")]
    [InlineData("Storage:MaxBytes", "lots", "must be a positive whole number, was 'lots'")]
    [InlineData("Storage:MaxTtl", "0s", "must be a positive duration such as 500ms, 2s, 15m, 24h or 00:00:02, was '0s'")]
    public void BadValue_IsAnErrorNamingTheSettingAndEachSource(string key, string value, string problem)
    {
        string setting = key.StartsWith("Bootstrap", StringComparison.Ordinal) ? "Bootstrap" : key;
        string option = SettingCatalog.Find(setting)!.Option;
        string variable = "DHT_" + key.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant();
        string file = WriteFile(JsonOf(key, value));

        Assert.Equal($"setting '{setting}' (file {file}) {problem}", LoadError([], [], file));
        Assert.Equal($"setting '{setting}' (environment {variable}) {problem}", LoadError([], new Hashtable { [variable] = value }));
        Assert.Equal($"setting '{setting}' (command line {option}) {problem}", LoadError([new SettingValue(key, value, option)], []));
    }

    [Fact]
    public void BadPortInEnvironment_ReadsAsTheIssueSaysIt()
    {
        Assert.Equal("setting 'Port' (environment DHT_PORT) must be 0 to 65535, was '70000'", LoadError([], new Hashtable { ["DHT_PORT"] = "70000" }));
    }

    [Fact]
    public void SettingsThatContradictEachOther_AreReportedByTheNodeOptionsCheck_WithTheirSource()
    {
        string error = LoadError([new SettingValue("SoftTimeout", "3s", "--soft-timeout")], []);
        string ttl = LoadError([], new Hashtable { ["DHT_STORAGE__DEFAULTTTL"] = "48h" });

        Assert.StartsWith("setting 'SoftTimeout' (command line --soft-timeout): SoftTimeout must not exceed QueryTimeout", error, StringComparison.Ordinal);
        Assert.StartsWith("setting 'Storage:DefaultTtl' (environment DHT_STORAGE__DEFAULTTTL): ", ttl, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ttl);
    }

    [Fact]
    public void UnknownKey_IsAnErrorNamingIt()
    {
        string file = WriteFile("""{ "Prot": 8001 }""");

        Assert.Equal($"unknown setting 'Prot' (file {file})", LoadError([], [], file));
        Assert.Equal("unknown setting 'STORAGE:MAXITEM' (environment DHT_STORAGE__MAXITEM)", LoadError([], new Hashtable { ["DHT_STORAGE__MAXITEM"] = "1" }));
    }

    [Fact]
    public void MissingOrMalformedFile_IsAnErrorNamingTheFile()
    {
        string missing = Path.Combine(_directory, "missing.json");
        string malformed = WriteFile("{ \"Port\": ");

        Assert.Equal($"config file '{missing}' does not exist", LoadError([], [], missing));
        Assert.StartsWith($"config file '{malformed}': ", LoadError([], [], malformed), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigShow_PrintsEverySettingWithItsValueAndSource()
    {
        string file = WriteFile("""{ "Port": 7000, "Bootstrap": ["127.0.0.1:1001"], "Storage": { "MaxItems": 500 } }""");

        var run = await RunAsync(new Hashtable { ["DHT_ALPHA"] = "5", ["DHT_PORT"] = "7100" },
            "config", "show", "--config", file, "--port", "7200", "--soft-timeout", "250ms", "--read-only");

        Assert.True(run.ExitCode == 0, run.Error);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split("  ", StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(SettingCatalog.All.Select(s => s.Key), lines.Select(l => l[0].Trim()));
        Assert.All(lines, l => Assert.Equal(3, l.Length));
        string[] Line(string key) => lines.Single(l => l[0].Trim() == key).Select(p => p.Trim()).ToArray();
        Assert.Equal(["Port", "7200", "command line --port"], Line("Port"));
        Assert.Equal(["Alpha", "5", "environment DHT_ALPHA"], Line("Alpha"));
        Assert.Equal(["Bootstrap", "127.0.0.1:1001", $"file {file}"], Line("Bootstrap"));
        Assert.Equal(["Storage:MaxItems", "500", $"file {file}"], Line("Storage:MaxItems"));
        Assert.Equal(["SoftTimeout", "250ms", "command line --soft-timeout"], Line("SoftTimeout"));
        Assert.Equal(["ReadOnly", "true", "command line --read-only"], Line("ReadOnly"));
        Assert.Equal(["QueryTimeout", "2s", "default"], Line("QueryTimeout"));
        Assert.Equal(["Storage:MaxTtl", "24h", "default"], Line("Storage:MaxTtl"));
    }

    [Fact]
    public async Task ConfigShow_WithVerbose_ShowsDebugFromThatOption()
    {
        var run = await RunAsync([], "config", "show", "--log-level", "Error", "-v");

        Assert.Contains("command line --verbose", run.Output.Split('\n').Single(l => l.StartsWith("LogLevel ", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("config", "show")]
    [InlineData("node", "--port", "0", "--bind", "127.0.0.1", "--in-memory")]
    [InlineData("get", "hello", "--bootstrap", "127.0.0.1:1")]
    public async Task BadEnvironmentValue_FailsEveryCommandWithExitCode2(params string[] args)
    {
        var run = await RunAsync(new Hashtable { ["DHT_ALPHA"] = "0" }, args);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("Error: setting 'Alpha' (environment DHT_ALPHA) must be a positive whole number, was '0'", run.Error.Trim());
        Assert.DoesNotContain("Node ID:", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigFileGivenToNode_IsUsed()
    {
        string file = WriteFile("""{ "Port": 0, "Bind": "127.0.0.1", "InMemory": true }""");

        var run = await RunAsync([], "node", "--config", file);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("DHT node started on 127.0.0.1:", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("2s", 2_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("15m", 900_000)]
    [InlineData("24h", 86_400_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("00:00:02", 2_000)]
    [InlineData("1.00:00:00", 86_400_000)]
    public void Durations_ParseUnitsAndTimeSpans(string text, long milliseconds)
    {
        Assert.True(Durations.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("fast")]
    [InlineData("s")]
    [InlineData("1e400s")]
    public void Durations_RefuseValuesWithoutAUnit(string text)
    {
        Assert.False(Durations.TryParse(text, out _));
    }

    [Theory]
    [InlineData(500, "500ms")]
    [InlineData(2_000, "2s")]
    [InlineData(90_000, "90s")]
    [InlineData(86_400_000, "24h")]
    public void Durations_FormatInTheLargestExactUnit(long milliseconds, string expected)
    {
        Assert.Equal(expected, Durations.Format(TimeSpan.FromMilliseconds(milliseconds)));
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

    /// <summary>A JSON document setting <paramref name="key"/> (sections by ':', a list entry by its index).</summary>
    private static string JsonOf(string key, string value)
    {
        string[] parts = key.Split(':');
        string json = System.Text.Json.JsonSerializer.Serialize(value);
        if (parts.Length == 2 && parts[1].All(char.IsAsciiDigit))
        {
            return $"{{ \"{parts[0]}\": [{json}] }}";
        }

        return parts.Length == 2 ? $"{{ \"{parts[0]}\": {{ \"{parts[1]}\": {json} }} }}" : $"{{ \"{key}\": {json} }}";
    }

    private string WriteFile(string json)
    {
        string path = Path.Combine(_directory, $"dht-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static async Task<CliRun> RunAsync(Hashtable environment, params string[] args)
    {
        using var cts = new CancellationTokenSource(Bound);
        using var input = new MemoryStream();
        await using var output = new StringWriter();
        await using var error = new StringWriter();
        int exitCode = await CliApp.RunAsync(args, input, output, error, environment, cts.Token).WaitAsync(cts.Token);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }
}
