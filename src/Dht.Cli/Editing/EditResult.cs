namespace Dht.Cli.Editing;

/// <summary>What one key did to the line being edited.</summary>
internal enum EditResult
{
    /// <summary>The line or the cursor changed (or nothing did): redraw.</summary>
    Edited,

    /// <summary>Enter: the line is done.</summary>
    Accepted,

    /// <summary>Ctrl+C on a line: it is dropped and a new one starts.</summary>
    Dropped,

    /// <summary>Ctrl+D or Ctrl+C on an empty line: the end of input.</summary>
    Ended,

    /// <summary>A character did not fit: the line is at its length limit.</summary>
    Full,
}
