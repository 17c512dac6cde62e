using System.Collections;
using Dht.Cli.Editing;

namespace Dht.Cli;

/// <summary>What a command runs with: the standard streams and the environment variables.</summary>
/// <param name="Input">Standard input as bytes, so that invalid UTF-8 is refused rather than replaced.</param>
internal sealed record CliContext(Stream Input, TextWriter Output, TextWriter Error, IDictionary Environment)
{
    /// <summary>Standard input is a terminal: the shell runs one command at a time, as they are typed.</summary>
    public bool InputIsTerminal { get; init; }

    /// <summary>Set when standard input and output are both a terminal: the shell edits lines with it.</summary>
    public ITerminal? Terminal { get; init; }
}
