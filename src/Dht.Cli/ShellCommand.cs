namespace Dht.Cli;

/// <summary>One command of the interactive shell.</summary>
/// <param name="Name">What the user types.</param>
/// <param name="Usage">Arguments, for help.</param>
/// <param name="Summary">One line of help.</param>
/// <param name="Run">Runs the command with the rest of the line; returns false to leave the shell.</param>
internal sealed record ShellCommand(string Name, string Usage, string Summary, Func<string, CancellationToken, Task<bool>> Run);
