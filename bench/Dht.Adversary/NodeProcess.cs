using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Dht.Protocol;
using Dht.Protocol.Krpc;

namespace Dht.Adversary;

/// <summary>
/// The node under attack: <c>dht node --in-memory</c> (or <c>--data-dir</c>) on 127.0.0.1, a process of its own so that a crash is
/// seen as one and its memory, CPU time and socket drops can be read from /proc. Its shell reads standard
/// input, which stays open, so that <see cref="StatusAsync"/> can ask for its counters and what it stores.
/// </summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _stderr = new();
    private readonly List<string> _stdout = [];

    private NodeProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        EndPoint = new IPEndPoint(IPAddress.Loopback, port);
    }

    public int Port { get; }

    public IPEndPoint EndPoint { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>The last lines the node wrote to standard error.</summary>
    public string StandardErrorTail
    {
        get
        {
            lock (_stderr)
            {
                return string.Join('\n', _stderr);
            }
        }
    }

    public static Task<NodeProcess> StartAsync(string executable, int port, IEnumerable<string> extraArguments, CancellationToken cancellationToken) =>
        StartAsync(executable, port, extraArguments, dataDirectory: null, cancellationToken);

    /// <summary>Starts the node; with <paramref name="dataDirectory"/> it keeps its state there (SQLite) instead of in memory.</summary>
    public static async Task<NodeProcess> StartAsync(string executable, int port, IEnumerable<string> extraArguments, string? dataDirectory, CancellationToken cancellationToken)
    {
        if (port == 0)
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        var start = new ProcessStartInfo
        {
            FileName = executable.EndsWith(".dll", StringComparison.Ordinal) ? "dotnet" : executable,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (executable.EndsWith(".dll", StringComparison.Ordinal))
        {
            start.ArgumentList.Add(executable);
        }

        string[] storage = dataDirectory is null ? ["--in-memory"] : ["--data-dir", dataDirectory];
        // Every source of this tool is a 127.x address: the node must limit loopback as it would the Internet.
        foreach (string a in (string[])["node", .. storage, "--bind", "127.0.0.1", "--rate-limit-loopback", "--port", port.ToString(CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(a);
        }

        foreach (string a in extraArguments)
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        var node = new NodeProcess(process, port);
        process.ErrorDataReceived += (_, e) => node.Keep(e.Data);
        process.OutputDataReceived += (_, e) => node.KeepOutput(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        await node.WaitUntilAnsweringAsync(cancellationToken);
        return node;
    }

    /// <summary>The node's <c>status</c> lines (contacts, queries, what it stores), or an empty list after 5 s.</summary>
    public async Task<IReadOnlyList<string>> StatusAsync()
    {
        int from;
        lock (_stdout)
        {
            from = _stdout.Count;
        }

        if (_process.HasExited)
        {
            return [];
        }

        await _process.StandardInput.WriteLineAsync("status");
        await _process.StandardInput.FlushAsync();
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(5))
        {
            lock (_stdout)
            {
                var lines = _stdout.Skip(from).ToList();
                if (lines.Any(l => l.StartsWith("Stored:", StringComparison.Ordinal)))
                {
                    return [.. lines.Where(l => l.StartsWith("Contacts:", StringComparison.Ordinal) || l.StartsWith("Queries:", StringComparison.Ordinal) || l.StartsWith("Stored:", StringComparison.Ordinal))];
                }
            }

            await Task.Delay(50);
        }

        return [];
    }

    /// <summary>Resident set size from /proc/PID/status (VmRSS), in bytes; 0 once the process is gone.</summary>
    public long ResidentBytes()
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{Pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    /// <summary>User plus system CPU time from /proc/PID/stat (clock ticks of 10 ms).</summary>
    public TimeSpan CpuTime()
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{Pid}/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromMilliseconds(ticks * 10);
        }
        catch (IOException)
        {
            return TimeSpan.Zero;
        }
    }

    /// <summary>Datagrams the kernel dropped at the node's socket because its receive queue was full.</summary>
    public long KernelDrops()
    {
        // 127.0.0.1 as the kernel prints it (little-endian hex): other sockets on 127/8 may share the port.
        string local = "0100007F:" + Port.ToString("X4", CultureInfo.InvariantCulture);
        foreach (string line in File.ReadLines("/proc/net/udp").Skip(1))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length > 12 && f[1] == local)
            {
                return long.Parse(f[^1], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void KeepOutput(string? line)
    {
        if (line is not null)
        {
            lock (_stdout)
            {
                _stdout.Add(line);
            }
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stderr)
        {
            _stderr.Enqueue(line);
            while (_stderr.Count > 40)
            {
                _stderr.Dequeue();
            }
        }
    }

    private async Task WaitUntilAnsweringAsync(CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        byte[] ping = KrpcBytes.Query(KrpcMethod.Ping, "up"u8, NodeId.CreateRandom(), null);
        byte[] buffer = new byte[2048];
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"node exited with {_process.ExitCode}:\n{StandardErrorTail}");
            }

            await socket.SendToAsync(ping, EndPoint, cancellationToken);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(TimeSpan.FromMilliseconds(250));
            try
            {
                await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), wait.Token);
                return;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
        }

        throw new TimeoutException($"node did not answer a ping within 60 s:\n{StandardErrorTail}");
    }
}
