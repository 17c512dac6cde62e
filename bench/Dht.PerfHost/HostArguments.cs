using System.Globalization;

namespace Dht.PerfHost;

/// <summary><c>--name value</c> pairs.</summary>
internal sealed class HostArguments
{
    private readonly Dictionary<string, string> _values = [];

    public static HostArguments Parse(ReadOnlySpan<string> args)
    {
        var parsed = new HostArguments();
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected --name value, got '{args[i]}'");
            }

            parsed._values[args[i][2..]] = args[++i];
        }

        return parsed;
    }

    public int Int(string name, int fallback) =>
        _values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public string Text(string name, string fallback) => _values.GetValueOrDefault(name, fallback);
}
