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
internal sealed class WebTorrentPeer : IAsyncDisposable
{
    private const string DriverFolder = "tests/interop/webtorrent";
    private const int MaxStandardErrorChars = 256 * 1024;

    private static readonly TimeSpan QuitGrace = TimeSpan.FromSeconds(5);
    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private static readonly Lazy<bool> NodeAvailable = new(ProbeNode);
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

    /// <summary>True when <c>node --version</c> runs.</summary>
    public static bool IsNodeAvailable() => NodeAvailable.Value;

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

    /// <summary>Finds <c>tests/interop/webtorrent</c> and installs its packages (<c>npm ci</c>) unless already
    /// there. Safe to call from concurrent tests and processes. Returns the folder.</summary>
    public static async Task<string> EnsureInstalledAsync(CancellationToken ct)
    {
        var folder = FindDriverFolder();
        if (IsInstalled(folder))
        {
            return folder;
        }

        await InstallLock.WaitAsync(ct);
        try
        {
            // A lock file across processes too: two test assemblies may start at once.
            await using var fileLock = await AcquireFileLockAsync(folder, ct);
            if (!IsInstalled(folder))
            {
                await RunNpmCiAsync(folder, ct);
            }

            return folder;
        }
        finally
        {
            InstallLock.Release();
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

    /// <summary>Pings <paramref name="endPoint"/> and adds it to the routing table; returns its node id.</summary>
    public async Task<string> AddNodeAsync(IPEndPoint endPoint, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var reply = await CallAsync(new { cmd = "addNode", host = endPoint.Address.ToString(), port = endPoint.Port }, ct);
        return reply.GetProperty("nodeId").GetString()!;
    }

    /// <summary>Waits for the library's own bootstrap, then looks up its own id; returns the routing table size.</summary>
    public async Task<int> BootstrapAsync(CancellationToken ct)
    {
        var reply = await CallAsync(new { cmd = "bootstrap" }, ct);
        return reply.GetProperty("nodes").GetInt32();
    }

    public async Task<IReadOnlyList<DriverNode>> NodesAsync(CancellationToken ct) =>
        ReadNodes(await CallAsync(new { cmd = "nodes" }, ct));

    /// <summary>A KRPC ping; returns the responder's id and the <c>v</c> it sent, if any.</summary>
    public async Task<PingReply> PingAsync(IPEndPoint endPoint, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var reply = await CallAsync(new { cmd = "ping", host = endPoint.Address.ToString(), port = endPoint.Port }, ct);
        return new PingReply(
            reply.GetProperty("nodeId").GetString()!,
            reply.TryGetProperty("version", out var v) ? v.GetString() : null);
    }

    /// <summary>An iterative <c>find_node</c> lookup; returns the nodes that answered, closest first.</summary>
    public async Task<IReadOnlyList<DriverNode>> FindNodeAsync(string targetHex, CancellationToken ct) =>
        ReadNodes(await CallAsync(new { cmd = "findNode", target = targetHex }, ct));

    /// <summary>Looks up the swarm and announces <paramref name="port"/> (0: implied port) to every node that
    /// gave a token; returns how many accepted.</summary>
    public async Task<int> AnnounceAsync(string infoHashHex, int port, CancellationToken ct)
    {
        var reply = await CallAsync(new { cmd = "announce", infoHash = infoHashHex, port }, ct);
        return reply.GetProperty("nodes").GetInt32();
    }

    public async Task<PeersResult> GetPeersAsync(string infoHashHex, CancellationToken ct)
    {
        var reply = await CallAsync(new { cmd = "getPeers", infoHash = infoHashHex }, ct);
        return new PeersResult(
            ReadEndPoints(reply.GetProperty("peers")),
            ReadEndPoints(reply.GetProperty("remotePeers")),
            reply.GetProperty("visited").GetInt32());
    }

    public async Task<PutResult> PutImmutableAsync(string value, CancellationToken ct)
    {
        var reply = await CallAsync(new { cmd = "putImmutable", value }, ct);
        return new PutResult(reply.GetProperty("hash").GetString()!, reply.GetProperty("nodes").GetInt32());
    }

    /// <summary>A BEP 44 get that skips the library's local-cache shortcut; <see cref="StoredItem.FromCache"/>
    /// still says when the answer is this peer's own copy.</summary>
    public async Task<StoredItem> GetImmutableAsync(string hashHex, CancellationToken ct) =>
        ReadItem(await CallAsync(new { cmd = "getImmutable", hash = hashHex }, ct));

    /// <summary>Signs and puts a mutable item with ed25519 seed <paramref name="secretKey"/> (hex), or a new key
    /// pair when null; the result carries the key pair so a later put can update the item.</summary>
    public async Task<MutablePutResult> PutMutableAsync(string value, long seq, string? salt, string? secretKey, CancellationToken ct)
    {
        var reply = await CallAsync(new { cmd = "putMutable", value, seq, salt, secretKey }, ct);
        return new MutablePutResult(
            reply.GetProperty("publicKey").GetString()!,
            reply.TryGetProperty("secretKey", out var sk) ? sk.GetString() : null,
            reply.GetProperty("target").GetString()!,
            reply.GetProperty("seq").GetInt64(),
            reply.GetProperty("nodes").GetInt32());
    }

    public async Task<StoredItem> GetMutableAsync(string publicKeyHex, string? salt, CancellationToken ct) =>
        ReadItem(await CallAsync(new { cmd = "getMutable", publicKey = publicKeyHex, salt }, ct));

    /// <summary>Puts an immutable item whose value is any bytes (sent as hex, so not only UTF-8 text).</summary>
    public async Task<PutResult> PutImmutableAsync(ReadOnlyMemory<byte> value, CancellationToken ct)
    {
        var reply = await CallAsync(new { cmd = "putImmutable", valueHex = Convert.ToHexStringLower(value.Span) }, ct);
        return new PutResult(reply.GetProperty("hash").GetString()!, reply.GetProperty("nodes").GetInt32());
    }

    /// <summary>As <see cref="PutMutableAsync(string, long, string?, string?, CancellationToken)"/> with any bytes as
    /// value and salt (an empty salt is no salt).</summary>
    public async Task<MutablePutResult> PutMutableAsync(
        ReadOnlyMemory<byte> value, long seq, ReadOnlyMemory<byte> salt, string? secretKey, CancellationToken ct)
    {
        var reply = await CallAsync(
            new
            {
                cmd = "putMutable",
                valueHex = Convert.ToHexStringLower(value.Span),
                seq,
                saltHex = salt.IsEmpty ? null : Convert.ToHexStringLower(salt.Span),
                secretKey,
            },
            ct);
        return new MutablePutResult(
            reply.GetProperty("publicKey").GetString()!,
            reply.TryGetProperty("secretKey", out var sk) ? sk.GetString() : null,
            reply.GetProperty("target").GetString()!,
            reply.GetProperty("seq").GetInt64(),
            reply.GetProperty("nodes").GetInt32());
    }

    /// <summary>As <see cref="GetMutableAsync(string, string?, CancellationToken)"/> with any bytes as salt.</summary>
    public async Task<StoredItem> GetMutableAsync(string publicKeyHex, ReadOnlyMemory<byte> salt, CancellationToken ct) =>
        ReadItem(await CallAsync(
            new { cmd = "getMutable", publicKey = publicKeyHex, saltHex = salt.IsEmpty ? null : Convert.ToHexStringLower(salt.Span) },
            ct));

    /// <summary>What this peer itself stores under <paramref name="keyHex"/> (no network traffic). For an item,
    /// <see cref="StoredItem.NodeId"/> is the id of the node whose put stored it.</summary>
    public async Task<StoredItem> LocalAsync(string keyHex, CancellationToken ct) =>
        ReadItem(await CallAsync(new { cmd = "local", key = keyHex }, ct));

    /// <summary>Counters kept by the driver: routing table size, exceptions the library threw (e.g. on hostile
    /// input), datagrams dropped for leaving loopback, and queries received by type.</summary>
    public async Task<DriverStats> StatsAsync(CancellationToken ct)
    {
        var reply = await CallAsync(new { cmd = "stats" }, ct);
        var queries = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var q in reply.GetProperty("queries").EnumerateObject())
        {
            queries[q.Name] = q.Value.GetInt32();
        }

        return new DriverStats(
            reply.GetProperty("nodes").GetInt32(),
            reply.GetProperty("uncaught").GetInt32(),
            reply.GetProperty("dropped").GetInt32(),
            queries);
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

    private static List<DriverNode> ReadNodes(JsonElement reply) =>
        reply.GetProperty("nodes").EnumerateArray()
            .Select(n => new DriverNode(
                n.GetProperty("id").GetString()!,
                new IPEndPoint(IPAddress.Parse(n.GetProperty("host").GetString()!), n.GetProperty("port").GetInt32())))
            .ToList();

    private static List<IPEndPoint> ReadEndPoints(JsonElement array) =>
        array.EnumerateArray().Select(p => IPEndPoint.Parse(p.GetString()!)).ToList();

    private static StoredItem ReadItem(JsonElement reply)
    {
        if (!reply.GetProperty("found").GetBoolean())
        {
            return new StoredItem(false, null, null, false, null, null);
        }

        return new StoredItem(
            true,
            reply.TryGetProperty("valueHex", out var v) ? Convert.FromHexString(v.GetString()!) : null,
            reply.TryGetProperty("seq", out var seq) ? seq.GetInt64() : null,
            reply.TryGetProperty("fromCache", out var cached) && cached.GetBoolean(),
            reply.TryGetProperty("nodeId", out var node) ? node.GetString() : null,
            reply.TryGetProperty("publicKey", out var k) ? k.GetString() : null);
    }

    private static string FindDriverFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, DriverFolder);
            if (File.Exists(Path.Combine(candidate, "driver.mjs")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"{DriverFolder}/driver.mjs not found above {AppContext.BaseDirectory}");
    }

    // npm writes node_modules/.package-lock.json last, so its presence means a finished install.
    private static bool IsInstalled(string folder) =>
        File.Exists(Path.Combine(folder, "node_modules", ".package-lock.json"))
        && File.Exists(Path.Combine(folder, "node_modules", "bittorrent-dht", "package.json"));

    private static async Task<FileStream> AcquireFileLockAsync(string folder, CancellationToken ct)
    {
        var name = "dht-webtorrent-install-"
            + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(folder)))[..16]
            + ".lock";
        var path = Path.Combine(Path.GetTempPath(), name);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
            }
        }
    }

    private static async Task RunNpmCiAsync(string folder, CancellationToken ct)
    {
        var start = new ProcessStartInfo("npm")
        {
            WorkingDirectory = folder,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "ci", "--no-audit", "--no-fund" })
        {
            start.ArgumentList.Add(arg);
        }

        using var npm = Process.Start(start) ?? throw new InvalidOperationException("npm did not start");
        var stdout = npm.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = npm.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await npm.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            npm.Kill(entireProcessTree: true);
            throw;
        }

        if (npm.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"npm ci in {folder} failed with exit code {npm.ExitCode}\n{await stdout}\n{await stderr}");
        }
    }

    private static bool ProbeNode()
    {
        try
        {
            var start = new ProcessStartInfo("node")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.ArgumentList.Add("--version");
            using var node = Process.Start(start);
            if (node is null)
            {
                return false;
            }

            if (!node.WaitForExit(10_000))
            {
                node.Kill(entireProcessTree: true);
                return false;
            }

            return node.ExitCode == 0 && node.StandardOutput.ReadToEnd().StartsWith('v');
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>A routing-table entry or lookup result of the peer.</summary>
    public sealed record DriverNode(string Id, IPEndPoint EndPoint);

    /// <summary><paramref name="Version"/> is the hex of the responder's <c>v</c> field, if it sent one.</summary>
    public sealed record PingReply(string NodeId, string? Version);

    /// <summary><paramref name="RemotePeers"/> are those that came over the network rather than from the
    /// peer's own store.</summary>
    public sealed record PeersResult(IReadOnlyList<IPEndPoint> Peers, IReadOnlyList<IPEndPoint> RemotePeers, int Visited);

    /// <summary><paramref name="Target"/> is the item's key (hex); <paramref name="Nodes"/> how many stored it.</summary>
    public sealed record PutResult(string Target, int Nodes);

    public sealed record MutablePutResult(string PublicKey, string? SecretKey, string Target, long Seq, int Nodes);

    /// <summary>A BEP 44 item as found by a get. <paramref name="NodeId"/> is the node that answered (for the
    /// peer's own copy: the node that put it).</summary>
    public sealed record StoredItem(bool Found, byte[]? Value, long? Seq, bool FromCache, string? NodeId, string? PublicKey)
    {
        public string? Text => Value is null ? null : Encoding.UTF8.GetString(Value);
    }

    public sealed record DriverStats(int Nodes, int Uncaught, int Dropped, IReadOnlyDictionary<string, int> Queries);
}
