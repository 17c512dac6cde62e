namespace Dht.Cli.Input;

/// <summary>Why an input line was refused.</summary>
internal enum InputProblem
{
    None,

    /// <summary>The line is not valid UTF-8.</summary>
    InvalidUtf8,

    /// <summary>The line is longer than the limit; it was skipped without being kept.</summary>
    TooLong,
}
