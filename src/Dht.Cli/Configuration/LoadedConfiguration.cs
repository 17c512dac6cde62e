using Dht.Net;

namespace Dht.Cli.Configuration;

/// <summary>The effective configuration and where each setting's value came from.</summary>
/// <param name="Settings">The values.</param>
/// <param name="Sources">Per setting key: <c>default</c>, <c>file PATH</c>, <c>environment DHT_…</c> or <c>command line --…</c>.</param>
internal sealed record LoadedConfiguration(NodeSettings Settings, IReadOnlyDictionary<string, string> Sources)
{
    public string SourceOf(string key) => Sources.TryGetValue(key, out string? source) ? source : "default";

    /// <summary>
    /// Resolves the bootstrap nodes (names looked up now, when the command runs, not when it was configured) into
    /// <see cref="DhtOptions.BootstrapNodes"/>. Returns the error for the first that does not resolve, or null.
    /// </summary>
    public async Task<string?> ResolveBootstrapAsync(CancellationToken cancellationToken)
    {
        var results = await EndPointResolver.Default.ResolveBootstrapAsync(Settings.Options, cancellationToken);
        return results.FirstOrDefault(r => !r.Resolved) is { } failed
            ? $"setting '{SettingCatalog.BootstrapKey}' ({SourceOf(SettingCatalog.BootstrapKey)}) must name a host that resolves ({failed.Problem}), was '{failed.Text}'"
            : null;
    }
}
