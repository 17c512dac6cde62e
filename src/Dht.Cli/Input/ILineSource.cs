namespace Dht.Cli.Input;

/// <summary>Where the shell's lines come from: a pipe or a file (<see cref="LineReader"/>) or a terminal (the line editor).</summary>
internal interface ILineSource
{
    /// <summary>The next line, or null at the end of input.</summary>
    Task<InputLine?> ReadLineAsync(CancellationToken cancellationToken);
}
