using System.Diagnostics;

namespace Dht.Adversary;

/// <summary>
/// Another process holding a node's database, as an operator's <c>sqlite3</c> shell or a backup would: the
/// sqlite3 command-line shell in a transaction begun with <c>BEGIN EXCLUSIVE</c>, which holds SQLite's write
/// lock (in WAL mode readers still read) until <c>COMMIT</c>. The node's own data-directory lock
/// (<c>dht.db.lock</c>) is a different file and is not touched.
/// </summary>
internal sealed class DatabaseLocker : IAsyncDisposable
{
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(30);

    private readonly Process _shell;
    private readonly List<string> _errors = [];
    private TaskCompletionSource<string> _nextLine = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DatabaseLocker(Process shell) => _shell = shell;

    /// <summary>Starts <c>sqlite3</c> on <paramref name="databasePath"/> and returns once it holds the write lock.</summary>
    public static async Task<DatabaseLocker> LockAsync(string databasePath, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("sqlite3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-batch");
        start.ArgumentList.Add(databasePath);
        Process shell;
        try
        {
            shell = Process.Start(start) ?? throw new InvalidOperationException("sqlite3 did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("the locked-database phase needs the sqlite3 shell on PATH (or run with --lock-seconds 0)", e);
        }

        var locker = new DatabaseLocker(shell);
        shell.OutputDataReceived += (_, e) => locker.OnLine(e.Data);
        shell.ErrorDataReceived += (_, e) => locker.OnError(e.Data);
        shell.BeginOutputReadLine();
        shell.BeginErrorReadLine();

        // The node commits a batch now and then: wait for the lock for up to 10 s, as a patient operator would.
        await locker.RunAsync(".timeout 10000\nBEGIN EXCLUSIVE;\nSELECT 'locked';\n", "locked", cancellationToken);
        return locker;
    }

    /// <summary>Ends the transaction, which releases the lock, and returns once the shell says so.</summary>
    public Task ReleaseAsync(CancellationToken cancellationToken) =>
        RunAsync("COMMIT;\nSELECT 'released';\n", "released", cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (!_shell.HasExited)
        {
            _shell.Kill();
            await _shell.WaitForExitAsync();
        }

        _shell.Dispose();
    }

    private async Task RunAsync(string script, string expected, CancellationToken cancellationToken)
    {
        Task<string> line;
        lock (_errors)
        {
            line = _nextLine.Task;
        }

        await _shell.StandardInput.WriteAsync(script);
        await _shell.StandardInput.FlushAsync(cancellationToken);
        string answer;
        try
        {
            answer = await line.WaitAsync(AnswerBound, cancellationToken);
        }
        catch (TimeoutException)
        {
            answer = "(nothing)";
        }

        if (answer != expected)
        {
            lock (_errors)
            {
                throw new InvalidOperationException($"sqlite3 answered '{answer}' instead of '{expected}': {string.Join(' ', _errors)}");
            }
        }
    }

    private void OnLine(string? line)
    {
        TaskCompletionSource<string> answered;
        lock (_errors)
        {
            answered = _nextLine;
            _nextLine = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        answered.TrySetResult(line ?? "(sqlite3 exited)");
    }

    private void OnError(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_errors)
        {
            _errors.Add(line);
        }

        // An error (the lock not obtained, say) is the answer to the script being run.
        OnLine("error: " + line);
    }
}
