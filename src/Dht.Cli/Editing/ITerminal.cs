namespace Dht.Cli.Editing;

/// <summary>The keyboard side of a terminal, as the line editor uses it (a console, or keys fed by a test).</summary>
internal interface ITerminal
{
    /// <summary>Columns of the terminal, for scrolling a long line within one row.</summary>
    int Width { get; }

    /// <summary>The next key pressed.</summary>
    Task<ConsoleKeyInfo> ReadKeyAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Whether Ctrl+C arrives as a key (while a line is edited) or as the interrupt signal that stops the node
    /// (while a command runs).
    /// </summary>
    void CaptureControlC(bool capture);
}
