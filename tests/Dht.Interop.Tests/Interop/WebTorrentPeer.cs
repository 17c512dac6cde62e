using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Dht.Tests.Interop;

/// <summary>
/// A real Mainline DHT peer for interop tests: webtorrent's <c>bittorrent-dht</c> running in a Node.js child
/// process (<c>tests/interop/webtorrent/driver.mjs</c>), driven by one JSON line per command on its stdin and
/// answering one JSON line per command on its stdout. The peer binds 127.0.0.1 only and the driver drops any
/// datagram addressed outside 127.0.0.0/8. The process is always cleaned up by <see cref="DisposeAsync"/>, and
/// exits by itself if this process dies (its stdin closes).
/// </summary>
internal sealed partial class WebTorrentPeer : IAsyncDisposable
{
    private const int MaxStandardErrorChars = 256 * 1024;

    private static readonly TimeSpan QuitGrace = TimeSpan.FromSeconds(5);
    private static readonly JsonSerializerOptions CommandJson = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly Process _process;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly TaskCompletionSource<bool> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly StringBuilder _standardError = new();
    private readonly Task _stdoutPump;
    private long _nextId;
    private int _disposed;

    private WebTorrentPeer(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                AppendStandardError(e.Data);
            }
        };
        _process.BeginErrorReadLine();
        _stdoutPump = Task.Run(PumpStdoutAsync);
    }

    /// <summary>The peer's node id, 40 lower-case hex digits.</summary>
    public string Id { get; private set; } = "";

    /// <summary>The UDP port the peer listens on at 127.0.0.1.</summary>
    public int Port { get; private set; }

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    /// <summary>Everything the driver wrote to stderr so far (the newest 256 KiB): put it in failure messages.</summary>
    public string StandardError
    {
        get
        {
            lock (_standardError)
            {
                return _standardError.ToString();
            }
        }
    }

    /// <summary>Starts a peer on 127.0.0.1:<paramref name="port"/> (0 picks a free one) bootstrapping from
    /// <paramref name="bootstrap"/>, and returns once its socket listens.</summary>
    public static async Task<WebTorrentPeer> StartAsync(int port, IEnumerable<IPEndPoint> bootstrap, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(bootstrap);
        var folder = await EnsureInstalledAsync(ct);

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = folder,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add("driver.mjs");
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        var endpoints = bootstrap.Select(e => e.ToString()).ToList();
        if (endpoints.Count > 0)
        {
            start.ArgumentList.Add("--bootstrap");
            start.ArgumentList.Add(string.Join(',', endpoints));
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var peer = new WebTorrentPeer(process);
        try
        {
            await peer._ready.Task.WaitAsync(ct);
            return peer;
        }
        catch (Exception ex)
        {
            await peer.DisposeAsync();
            throw new InvalidOperationException(
                $"bittorrent-dht driver did not become ready on port {port}: {ex.Message}\n{peer.StandardError}", ex);
        }
    }

    /// <summary>Sends one command (its <c>id</c> is assigned here) and returns the driver's reply line, whether
    /// <c>ok</c> is true or false.</summary>
    public async Task<JsonElement> SendAsync(object command, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (JsonSerializer.SerializeToNode(command, command.GetType(), CommandJson) is not JsonObject json)
        {
            throw new ArgumentException("a command serializes to a JSON object", nameof(command));
        }

        var id = Interlocked.Increment(ref _nextId);
        json["id"] = id;
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        try
        {
            await _writeLock.WaitAsync(ct);
            try
            {
                await _process.StandardInput.WriteLineAsync(json.ToJsonString().AsMemory(), ct);
                await _process.StandardInput.FlushAsync(ct);
            }
            finally
            {
                _writeLock.Release();
            }

            return await reply.Task.WaitAsync(ct);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                await RequestQuitAsync();
                using var grace = new CancellationTokenSource(QuitGrace);
                try
                {
                    await _process.WaitForExitAsync(grace.Token);
                }
                catch (OperationCanceledException)
                {
                    AppendStandardError("[harness] driver did not quit in time; killing it");
                }
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException)
        {
            AppendStandardError($"[harness] quitting the driver failed: {ex.Message}");
        }
        finally
        {
            KillIfRunning();
            try
            {
                await _stdoutPump.WaitAsync(QuitGrace);
            }
            catch (TimeoutException)
            {
                AppendStandardError("[harness] stdout reader did not finish");
            }

            _process.Dispose();
            _writeLock.Dispose();
        }
    }

    private async Task<JsonElement> CallAsync(object command, CancellationToken ct)
    {
        var reply = await SendAsync(command, ct);
        if (reply.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True)
        {
            return reply;
        }

        var error = reply.TryGetProperty("error", out var e) ? e.GetString() : "no error message";
        var code = reply.TryGetProperty("code", out var c) ? $" (KRPC error {c.GetInt32()})" : "";
        throw new InvalidOperationException($"bittorrent-dht on port {Port}: {error}{code}");
    }

    private async Task RequestQuitAsync()
    {
        using var timeout = new CancellationTokenSource(QuitGrace);
        var locked = false;
        try
        {
            await _writeLock.WaitAsync(timeout.Token);
            locked = true;
            await _process.StandardInput.WriteLineAsync("{\"cmd\":\"quit\"}".AsMemory(), timeout.Token);
            await _process.StandardInput.FlushAsync(timeout.Token);
            _process.StandardInput.Close();
        }
        catch (OperationCanceledException)
        {
            AppendStandardError("[harness] could not send quit in time");
        }
        finally
        {
            if (locked)
            {
                _writeLock.Release();
            }
        }
    }

    private void KillIfRunning()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            AppendStandardError($"[harness] kill failed: {ex.Message}");
        }
    }

    private async Task PumpStdoutAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                HandleLine(line);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            AppendStandardError($"[harness] reading the driver's stdout failed: {ex.Message}");
        }

        // Let the stderr reader drain so the failure message carries the driver's last words.
        using (var drain = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            try
            {
                await _process.WaitForExitAsync(drain.Token);
            }
            catch (OperationCanceledException)
            {
                AppendStandardError("[harness] driver closed stdout but is still running");
            }
        }

        var exited = new InvalidOperationException($"bittorrent-dht driver exited\n{StandardError}");
        _ready.TrySetException(exited);
        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(exited);
        }
    }

    private void HandleLine(string line)
    {
        JsonElement message;
        try
        {
            using var doc = JsonDocument.Parse(line);
            message = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            AppendStandardError($"[harness] stray stdout line: {line}");
            return;
        }

        if (message.ValueKind != JsonValueKind.Object)
        {
            AppendStandardError($"[harness] stray stdout line: {line}");
            return;
        }

        if (message.TryGetProperty("event", out var evt))
        {
            if (evt.GetString() == "ready")
            {
                Port = message.GetProperty("port").GetInt32();
                Id = message.GetProperty("id").GetString()!;
                _ready.TrySetResult(true);
            }
            else
            {
                var error = message.TryGetProperty("error", out var e) ? e.GetString() : line;
                _ready.TrySetException(new InvalidOperationException($"driver failed: {error}"));
            }

            return;
        }

        if (message.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number
            && _pending.TryRemove(id.GetInt64(), out var reply))
        {
            reply.TrySetResult(message);
            return;
        }

        AppendStandardError($"[harness] reply nobody waits for: {line}");
    }

    private void AppendStandardError(string line)
    {
        lock (_standardError)
        {
            _standardError.Append(line).Append('\n');
            if (_standardError.Length > MaxStandardErrorChars)
            {
                _standardError.Remove(0, _standardError.Length - MaxStandardErrorChars);
            }
        }
    }
}
