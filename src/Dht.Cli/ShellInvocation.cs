namespace Dht.Cli;

/// <summary>One shell line, parsed and ready to run.</summary>
/// <param name="Scope">What it waits for when commands run concurrently.</param>
/// <param name="Key">The key it reads or changes (for <see cref="CommandScope.Key"/>), e.g. <c>named:hello</c>.</param>
/// <param name="Run">Runs it, writing to the output; returns false when the shell should stop.</param>
internal sealed record ShellInvocation(CommandScope Scope, string? Key, Func<CommandOutput, CancellationToken, Task<bool>> Run)
{
    /// <summary>A line that only prints (help, a usage message): nothing to wait for.</summary>
    public static ShellInvocation Print(Action<CommandOutput> print) => new(CommandScope.Independent, null, (output, _) =>
    {
        print(output);
        return Task.FromResult(true);
    });

    /// <summary>A refused line: one message on standard error.</summary>
    public static ShellInvocation Refuse(string message) => Print(o => o.Error(message));

    public static ShellInvocation Independent(Func<CommandOutput, CancellationToken, Task<bool>> run) => new(CommandScope.Independent, null, run);

    public static ShellInvocation OnKey(string key, Func<CommandOutput, CancellationToken, Task<bool>> run) => new(CommandScope.Key, key, run);

    public static ShellInvocation Exclusive(Func<CommandOutput, CancellationToken, Task<bool>> run) => new(CommandScope.Exclusive, null, run);
}
