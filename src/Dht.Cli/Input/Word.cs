namespace Dht.Cli.Input;

/// <summary>One word of a shell line.</summary>
/// <param name="Text">The word, quotes and escapes resolved.</param>
/// <param name="Quoted">Written in double quotes: never an option, even when it starts with "--".</param>
internal sealed record Word(string Text, bool Quoted)
{
    /// <summary>An option such as <c>--signed</c>: unquoted and starting with two dashes.</summary>
    public bool IsOption => !Quoted && Text.StartsWith("--", StringComparison.Ordinal);
}
