namespace Dht.Cli.Configuration;

/// <summary>The effective configuration and where each setting's value came from.</summary>
/// <param name="Settings">The values.</param>
/// <param name="Sources">Per setting key: <c>default</c>, <c>file PATH</c>, <c>environment DHT_…</c> or <c>command line --…</c>.</param>
internal sealed record LoadedConfiguration(NodeSettings Settings, IReadOnlyDictionary<string, string> Sources)
{
    public string SourceOf(string key) => Sources.TryGetValue(key, out string? source) ? source : "default";
}
