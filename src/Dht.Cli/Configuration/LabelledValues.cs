using Microsoft.Extensions.Configuration;

namespace Dht.Cli.Configuration;

/// <summary>
/// A configuration source and provider over values that remember where each came from, so that an error and
/// <c>config show</c> can name the variable or option a value was read from.
/// </summary>
internal sealed class LabelledValues : ConfigurationProvider, IConfigurationSource
{
    private readonly Dictionary<string, string> _names = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="kind">The kind of source, as shown: <c>environment</c>, <c>command line</c>.</param>
    /// <param name="values">The values; a later one for the same key replaces an earlier one.</param>
    public LabelledValues(string kind, IEnumerable<SettingValue> values)
    {
        Kind = kind;
        foreach (var v in values)
        {
            Data[v.Key] = v.Value;
            _names[v.Key] = v.Name;
        }
    }

    public string Kind { get; }

    /// <summary>The variable or option that gave <paramref name="key"/>.</summary>
    public string NameOf(string key) => _names.TryGetValue(key, out string? name) ? name : key;

    /// <summary>Values of the prefix <c>DHT_</c>, key after it, <c>__</c> meaning ':' (as .NET's environment provider reads them).</summary>
    public static LabelledValues FromEnvironment(System.Collections.IDictionary environment)
    {
        const string Prefix = "DHT_";
        List<SettingValue> values = [];
        foreach (System.Collections.DictionaryEntry e in environment)
        {
            if (e.Key is string name && e.Value is string value && name.Length > Prefix.Length
                && name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                values.Add(new SettingValue(name[Prefix.Length..].Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal), value, name));
            }
        }

        // Sorted, so that which of two spellings of one key wins does not depend on hashing.
        values.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new LabelledValues("environment", values);
    }

    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;
}
