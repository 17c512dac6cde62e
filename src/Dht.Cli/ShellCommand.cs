using Dht.Cli.Input;

namespace Dht.Cli;

/// <summary>One command of the shell.</summary>
/// <param name="Name">What the user types.</param>
/// <param name="Usage">Arguments, for help.</param>
/// <param name="Summary">One line of help.</param>
/// <param name="Prepare">Parses the arguments (the reader stands after the command's name) into what runs.</param>
internal sealed record ShellCommand(string Name, string Usage, string Summary, Func<ArgumentReader, ShellInvocation> Prepare);
