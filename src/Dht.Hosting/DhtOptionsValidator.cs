// Validation at the host's start (ValidateOnStart): every bad setting, each named by its full configuration key.
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Dht.Hosting;

/// <summary>Checks the bound <see cref="DhtOptions"/>, naming each bad setting as configuration spells it (<c>Dht:Port</c>).</summary>
/// <param name="configuration">The section the options were bound from; null when they were set in code.</param>
internal sealed class DhtOptionsValidator(IConfiguration? configuration) : IValidateOptions<DhtOptions>
{
    // Typed properties for code that the binder cannot read, and the keys that set them from configuration.
    private static readonly (string Key, string Instead)[] CodeOnly =
    [
        (nameof(DhtOptions.ListenAddress), nameof(DhtOptions.Bind)),
        (nameof(DhtOptions.BootstrapNodes), nameof(DhtOptions.Bootstrap)),
        (nameof(DhtOptions.NodeId), "nothing (the id is random, or kept in the data directory)"),
    ];

    private readonly string _prefix = configuration is IConfigurationSection section && section.Path.Length > 0 ? section.Path + ":" : "";

    public ValidateOptionsResult Validate(string? name, DhtOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string> failures = [];
        if (configuration is not null)
        {
            foreach (var (key, instead) in CodeOnly)
            {
                var value = configuration.GetSection(key);
                if (value.Value is not null || value.GetChildren().Any())
                {
                    failures.Add($"{_prefix}{key} is not read from configuration: set {(instead.Contains(' ', StringComparison.Ordinal) ? instead : _prefix + instead)}");
                }
            }
        }

        failures.AddRange(options.FindProblems().Select(p => _prefix + p));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
