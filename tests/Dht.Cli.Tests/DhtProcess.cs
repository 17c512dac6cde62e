using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Dht.Cli.Tests;

/// <summary>
/// One running <c>dht</c> process with its standard streams piped. Output lines are collected as they
/// arrive so a test can wait for a line; disposing kills the process tree if it is still running.
/// </summary>
internal sealed class DhtProcess : IAsyncDisposable
{
    private static readonly TimeSpan DisposeBound = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly List<string> _output = [];
    private readonly StringBuilder _error = new();
    private readonly Task _outputPump;
    private readonly Task _errorPump;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _outputEnded;

    private DhtProcess(Process process)
    {
        _process = process;
        _outputPump = PumpOutputAsync();
        _errorPump = PumpErrorAsync();
    }

    /// <summary>Everything the process wrote so far, for assertions and failure messages.</summary>
    public string Transcript
    {
        get
        {
            lock (_gate)
            {
                return $"--- stdout ---\n{string.Join('\n', _output)}\n--- stderr ---\n{_error}";
            }
        }
    }

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _output);
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_gate)
            {
                return _error.ToString();
            }
        }
    }

    public bool HasExited() => _process.HasExited;

    public static DhtProcess Start(params string[] args) =>
        new(Process.Start(CliExecutable.StartInfo(args)) ?? throw new InvalidOperationException("dht did not start"));

    /// <summary>Writes the script to standard input and closes it, as a shell pipe would.</summary>
    public async Task SendAndCloseInputAsync(string script, CancellationToken cancellationToken)
    {
        await _process.StandardInput.WriteAsync(script.AsMemory(), cancellationToken);
        _process.StandardInput.Close();
    }

    /// <summary>Writes raw bytes to standard input (for input that is not valid UTF-8) and closes it.</summary>
    public async Task SendBytesAndCloseInputAsync(byte[] script, CancellationToken cancellationToken)
    {
        await _process.StandardInput.BaseStream.WriteAsync(script, cancellationToken);
        _process.StandardInput.Close();
    }

    /// <summary>Writes commands to standard input and leaves it open, so the shell waits for more.</summary>
    public async Task SendAsync(string script, CancellationToken cancellationToken)
    {
        await _process.StandardInput.WriteAsync(script.AsMemory(), cancellationToken);
        await _process.StandardInput.FlushAsync(cancellationToken);
    }

    /// <summary>Kills the process outright (SIGKILL on Unix): no handler runs, nothing is flushed or closed.</summary>
    public void KillHard() => _process.Kill();

    /// <summary>Asks the process to stop as a service manager would, with SIGTERM (not on Windows).</summary>
    public Task SendTerminateSignalAsync(CancellationToken cancellationToken) => SendSignalAsync("TERM", cancellationToken);

    /// <summary>Stops the process as Ctrl+C in its terminal would, with SIGINT (not on Windows).</summary>
    public Task SendInterruptSignalAsync(CancellationToken cancellationToken) => SendSignalAsync("INT", cancellationToken);

    private async Task SendSignalAsync(string signal, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"kill -{signal} {_process.Id.ToString(CultureInfo.InvariantCulture)}");
        using var kill = Process.Start(info) ?? throw new InvalidOperationException("sh did not start");
        await kill.WaitForExitAsync(cancellationToken);
        Assert.True(kill.ExitCode == 0, $"kill -{signal} failed with {kill.ExitCode}");
    }

    /// <summary>Waits for the first output line that matches, failing with the transcript if none comes.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, CancellationToken cancellationToken) =>
        WaitForAsync(() => _output, match, cancellationToken);

    /// <summary>Waits until <paramref name="count"/> output lines match, and returns them in order.</summary>
    public async Task<List<string>> WaitForLinesAsync(Func<string, bool> match, int count, CancellationToken cancellationToken)
    {
        int seen = 0; // counted afresh on each scan of the output
        await WaitForAsync(() => { seen = 0; return _output; }, l => match(l) && ++seen == count, cancellationToken);
        lock (_gate)
        {
            return [.. _output.Where(match)];
        }
    }

    /// <summary>Waits for the first line on standard error (where the log goes) that matches.</summary>
    public Task<string> WaitForErrorLineAsync(Func<string, bool> match, CancellationToken cancellationToken) =>
        WaitForAsync(() => _error.ToString().Split('\n'), match, cancellationToken);

    private async Task<string> WaitForAsync(Func<IEnumerable<string>> lines, Func<string, bool> match, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                string? hit = lines().FirstOrDefault(match);
                if (hit is not null)
                {
                    return hit;
                }

                if (_outputEnded)
                {
                    Assert.Fail($"dht ended its output without the expected line\n{Transcript}");
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"dht did not print the expected line in time\n{Transcript}");
            }
        }
    }

    /// <summary>Waits for the process to exit and for all its output to be read; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _process.WaitForExitAsync(cancellationToken);
            await Task.WhenAll(_outputPump, _errorPump).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"dht did not exit in time\n{Transcript}");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(DisposeBound);
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync(cts.Token);
            await Task.WhenAll(_outputPump, _errorPump).WaitAsync(cts.Token);
        }
        finally
        {
            _process.Dispose();
        }
    }

    private async Task PumpOutputAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (_gate)
                {
                    _output.Add(line);
                }

                Signal();
            }
        }
        finally
        {
            lock (_gate)
            {
                _outputEnded = true;
            }

            Signal();
        }
    }

    private async Task PumpErrorAsync()
    {
        while (await _process.StandardError.ReadLineAsync() is { } line)
        {
            lock (_gate)
            {
                _error.AppendLine(line);
            }

            Signal();
        }
    }

    private void Signal()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }
}
