// Runs piped shell commands concurrently and prints their output in input order. The ordering rule (stated in
// the README): a command on a key starts after every earlier command on the same key has finished; status,
// keys and quit start after every earlier command has finished, and nothing after them starts before they end;
// everything else (ping, lookup, help, refused lines) starts at once. At most Parallelism commands are running
// or waiting to print, so reading ahead is bounded; a command's slot is freed when its output is printed.
namespace Dht.Cli;

/// <summary>Runs submitted commands under the ordering rule, printing each one's output in submission order.</summary>
internal sealed class CommandScheduler
{
    private readonly SemaphoreSlim _slots;
    private readonly int _parallelism;
    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly CancellationToken _cancellationToken;
    private readonly Dictionary<string, Task> _lastOnKey = new(StringComparer.Ordinal);
    private Task _printed = Task.CompletedTask;

    /// <param name="parallelism">Commands running or waiting to print at once (at least 1).</param>
    /// <param name="output">Where answers go.</param>
    /// <param name="error">Where refusals and errors go.</param>
    /// <param name="cancellationToken">Stops the shell (Ctrl+C, SIGTERM).</param>
    public CommandScheduler(int parallelism, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        _parallelism = parallelism;
        _slots = new SemaphoreSlim(parallelism, parallelism);
        _output = output;
        _error = error;
        _cancellationToken = cancellationToken;
    }

    /// <summary>
    /// Starts the command when the ordering rule lets it (waiting for a free slot first); returns false when
    /// the shell should read no further (quit, or stopped).
    /// </summary>
    public async Task<bool> SubmitAsync(ShellInvocation invocation)
    {
        try
        {
            if (invocation.Scope == CommandScope.Exclusive)
            {
                await _printed.WaitAsync(_cancellationToken);
                _lastOnKey.Clear();
                var output = new CommandOutput();
                bool goOn = await Shell.RunGuardedAsync(invocation, output, _cancellationToken);
                await output.WriteToAsync(_output, _error);
                return goOn && !_cancellationToken.IsCancellationRequested;
            }

            await _slots.WaitAsync(_cancellationToken);
        }
        catch (OperationCanceledException) when (_cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        var predecessor = Task.CompletedTask;
        if (invocation.Key is { } key && _lastOnKey.TryGetValue(key, out var last))
        {
            predecessor = last;
        }

        var run = Task.Run(() => RunAfterAsync(predecessor, invocation), CancellationToken.None);
        if (invocation.Key is { } k)
        {
            ForgetFinished();
            _lastOnKey[k] = run;
        }

        _printed = PrintAfterAsync(_printed, run);
        return true;
    }

    /// <summary>Completes when everything submitted has run and been printed.</summary>
    public Task CompleteAsync() => _printed;

    private async Task<CommandOutput> RunAfterAsync(Task predecessor, ShellInvocation invocation)
    {
        await predecessor;
        var output = new CommandOutput();
        await Shell.RunGuardedAsync(invocation, output, _cancellationToken);
        return output;
    }

    private async Task PrintAfterAsync(Task previous, Task<CommandOutput> run)
    {
        try
        {
            await previous;
            var output = await run;
            await output.WriteToAsync(_output, _error);
        }
        finally
        {
            // Even after a fault (a bug, which CompleteAsync then reports), so that reading cannot hang on a slot.
            _slots.Release();
        }
    }

    /// <summary>
    /// Keeps the key table bounded: at most <c>Parallelism</c> of its commands are unfinished (each holds a slot),
    /// so sweeping the finished ones whenever it doubles that costs O(1) per command.
    /// </summary>
    private void ForgetFinished()
    {
        if (_lastOnKey.Count < 2 * _parallelism)
        {
            return;
        }

        foreach (var (key, task) in _lastOnKey.Where(e => e.Value.IsCompleted).ToList())
        {
            _lastOnKey.Remove(key);
        }
    }
}
