namespace Dht.Cli.Configuration;

/// <summary>
/// One setting of the <c>dht</c> command: its configuration key (file and environment), its command-line option,
/// how a text value is checked and applied, and how the effective value is shown.
/// </summary>
internal sealed class Setting
{
    /// <summary>The configuration key, sections separated by ':' (<c>Storage:MaxItems</c>).</summary>
    public required string Key { get; init; }

    /// <summary>The command-line option (<c>--max-items</c>).</summary>
    public required string Option { get; init; }

    public string[] Aliases { get; init; } = [];

    public required string Description { get; init; }

    /// <summary>What the value looks like in help (<c>N</c>, <c>DURATION</c>).</summary>
    public string HelpName { get; init; } = "VALUE";

    /// <summary>A true/false setting: on the command line a flag that may take an explicit value.</summary>
    public bool IsFlag { get; init; }

    /// <summary>A list (<c>Bootstrap</c>): the highest source that sets any entry gives the whole list.</summary>
    public bool IsList { get; init; }

    /// <summary>Offered by the one-shot commands too (a read-only client has no port, storage or data of its own).</summary>
    public bool ForClients { get; init; }

    /// <summary>The default as shown in help when it is not simply the value of a fresh <see cref="NodeSettings"/>.</summary>
    public string? DefaultText { get; init; }

    /// <summary>Checks and applies one text value; returns what is wrong with it ("must be ..."), or null.</summary>
    public required Func<NodeSettings, string, string?> Apply { get; init; }

    /// <summary>The effective value as text.</summary>
    public required Func<NodeSettings, string> Show { get; init; }

    /// <summary>The environment variable: <c>DHT_</c> then the key, upper case, ':' written as <c>__</c>.</summary>
    public string EnvironmentVariable => "DHT_" + Key.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant();
}
