using System.Globalization;

namespace Dht.Adversary;

/// <summary><c>--name value</c> pairs; <c>--node-arg X</c> may repeat (each is passed to the node).</summary>
internal sealed class ToolArguments
{
    private readonly Dictionary<string, string> _values = [];

    /// <summary>Extra command-line arguments for the node under test.</summary>
    public List<string> NodeArguments { get; } = [];

    public static ToolArguments Parse(ReadOnlySpan<string> args)
    {
        var parsed = new ToolArguments();
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected --name value, got '{args[i]}'");
            }

            string name = args[i][2..], value = args[++i];
            if (name == "node-arg")
            {
                parsed.NodeArguments.Add(value);
            }
            else
            {
                parsed._values[name] = value;
            }
        }

        return parsed;
    }

    public int Int(string name, int fallback) =>
        _values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public long Long(string name, long fallback) =>
        _values.TryGetValue(name, out var v) ? long.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public string Text(string name, string fallback) => _values.GetValueOrDefault(name, fallback);

    public string? Optional(string name) => _values.GetValueOrDefault(name);

    /// <summary>The dht executable: --node, else the Release build next to this tool's source tree.</summary>
    public string NodeExecutable()
    {
        if (Optional("node") is { } explicitPath)
        {
            return explicitPath;
        }

        string root = AppContext.BaseDirectory;
        for (var dir = new DirectoryInfo(root); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "src", "Dht.Cli", "bin", "Release", "net10.0", "dht");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new ArgumentException("no dht executable: build src/Dht.Cli in Release or pass --node PATH");
    }
}
