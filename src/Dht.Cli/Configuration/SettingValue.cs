namespace Dht.Cli.Configuration;

/// <summary>A value given for a setting, and where: <c>environment DHT_PORT</c>, <c>command line --port</c>.</summary>
/// <param name="Key">The configuration key (<c>Port</c>, <c>Bootstrap:0</c>).</param>
/// <param name="Value">The text given.</param>
/// <param name="Name">What the user wrote to give it: the variable or the option.</param>
internal sealed record SettingValue(string Key, string Value, string Name);
