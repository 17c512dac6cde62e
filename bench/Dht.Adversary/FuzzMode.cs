// fuzz: at least ten million mutated datagrams (DatagramGenerator) from many sources on 127.77.x.y, paced,
// bounded in count and time, while a legitimate peer pings from 127.0.0.1. Checks that the node stays up,
// that its memory levels off, and that the pinger keeps being answered.
using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Dht.Protocol;
using Dht.Protocol.Krpc;

namespace Dht.Adversary;

/// <summary>The fuzzing run.</summary>
internal static class FuzzMode
{
    public static async Task<int> RunAsync(ToolArguments args, CancellationToken cancellationToken)
    {
        long count = args.Long("count", 10_000_000);
        var duration = TimeSpan.FromSeconds(args.Int("duration", 900));
        int rate = args.Int("rate", 40_000);
        int sourceCount = args.Int("sources", 1024);
        int seed = args.Int("seed", 1);
        string? json = args.Optional("json");
        var corpus = LoadCorpus(args.Optional("corpus"));
        Console.WriteLine($"fuzz: {count} datagrams at most, {duration.TotalSeconds} s at most, {rate}/s, {sourceCount} sources, seed {seed}, {corpus.Length} corpus files");

        await using var node = await NodeProcess.StartAsync(args.NodeExecutable(), args.Int("port", 0), args.NodeArguments, cancellationToken);
        var sources = new FuzzSource[sourceCount];
        for (int i = 0; i < sourceCount; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(new IPAddress([127, 77, (byte)(i >> 8), (byte)(i & 0xFF)]), 0));
            sources[i] = new FuzzSource(socket, NodeId.CreateRandom());
        }

        long replies = 0, replyBytes = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receivers = sources.Select(s => Task.Run(() => ReceiveAsync(s, () => Interlocked.Increment(ref replies), n => Interlocked.Add(ref replyBytes, n), stop.Token))).ToArray();

        using var pinger = new Pinger(node.EndPoint, TimeSpan.FromMilliseconds(10));
        pinger.Start();
        var sampler = new Sampler(node, pinger);
        long sent = 0, sentBytes = 0;
        var generator = new DatagramGenerator(seed, corpus);
        var clock = Stopwatch.StartNew();
        var sender = new Thread(() =>
        {
            var buffer = new ArrayBufferWriter<byte>(70_000);
            var random = new Random(seed ^ 0x5eed);
            long due = 0;
            while (Volatile.Read(ref sent) < count && clock.Elapsed < duration && !stop.IsCancellationRequested && !node.HasExited)
            {
                if (rate > 0)
                {
                    // After a pause (this process starved of CPU) the schedule moves on rather than sending
                    // more than 50 ms of datagrams in one burst.
                    long allowed = (long)(clock.Elapsed.TotalSeconds * rate);
                    due = Math.Max(due, allowed - Math.Max(1, rate / 20));
                    if (due >= allowed)
                    {
                        Thread.Sleep(1);
                        continue;
                    }
                }

                var source = sources[random.Next(sources.Length)];
                generator.Generate(source, buffer);
                try
                {
                    source.Socket.SendTo(buffer.WrittenSpan, SocketFlags.None, node.EndPoint);
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.MessageSize or SocketError.NoBufferSpaceAvailable or SocketError.WouldBlock)
                {
                }

                sentBytes += buffer.WrittenCount;
                due++;
                Volatile.Write(ref sent, sent + 1);
            }
        })
        { IsBackground = true, Name = "fuzz-send" };
        sender.Start();

        long warmResident = 0;
        while (sender.IsAlive)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
            long s = Volatile.Read(ref sent);
            Console.WriteLine(sampler.Sample(clock.Elapsed.TotalSeconds, string.Create(CultureInfo.InvariantCulture, $"sent {s,10}  replies {Volatile.Read(ref replies),9}")));
            if (warmResident == 0 && s >= count / 10)
            {
                warmResident = sampler.Resident[^1];
                Console.WriteLine("node status after 10 %: " + string.Join(" | ", await node.StatusAsync()));
            }
        }

        sender.Join();
        var elapsed = clock.Elapsed;
        var cpu = node.CpuTime();
        bool alive = !node.HasExited;
        long drops = node.KernelDrops();
        var ping = pinger.Stop();
        var status = await node.StatusAsync();
        await stop.CancelAsync();
        foreach (var s in sources)
        {
            s.Socket.Dispose();
        }

        await Task.WhenAll(receivers);
        var rss = sampler.Resident.Where(r => r > 0).ToList();
        long final = rss.Count > 0 ? rss[^1] : 0;
        string memory = string.Create(CultureInfo.InvariantCulture,
            $"node rss: {rss.FirstOrDefault() / 1048576.0:0.0} MiB at start, {warmResident / 1048576.0:0.0} MiB after 10 % of the datagrams, max {(rss.Count > 0 ? rss.Max() : 0) / 1048576.0:0.0} MiB, {final / 1048576.0:0.0} MiB at the end");
        string summary = string.Create(CultureInfo.InvariantCulture,
            $"fuzz: {sent} datagrams ({generator.Valid} valid, {generator.Mutated} mutated, {generator.FromCorpus} from the corpus; {sentBytes / 1048576.0:0.0} MiB) in {elapsed.TotalSeconds:0.0} s ({sent / elapsed.TotalSeconds:0} /s); " +
            $"{drops} dropped by the kernel at the node's socket; {replies} replies ({replyBytes / 1048576.0:0.0} MiB); node CPU {cpu.TotalSeconds:0.0} s ({cpu.TotalMicroseconds / Math.Max(1, sent - drops):0.0} µs per datagram processed)");
        Console.WriteLine(summary);
        Console.WriteLine(memory);
        Console.WriteLine(ping);
        Console.WriteLine("node status at the end: " + string.Join(" | ", status));
        Console.WriteLine(alive ? "node: alive" : $"node: EXITED with {node.ExitCode}\n{node.StandardErrorTail}");
        if (json is not null)
        {
            await File.AppendAllTextAsync(json, string.Create(CultureInfo.InvariantCulture,
                $"{{\"mode\":\"fuzz\",\"seed\":{seed},\"sent\":{sent},\"valid\":{generator.Valid},\"mutated\":{generator.Mutated},\"corpus\":{generator.FromCorpus},\"seconds\":{elapsed.TotalSeconds:0.0}," +
                $"\"kernel_drops\":{drops},\"replies\":{replies},\"node_cpu_s\":{cpu.TotalSeconds:0.0},\"rss_start\":{rss.FirstOrDefault()},\"rss_warm\":{warmResident},\"rss_max\":{(rss.Count > 0 ? rss.Max() : 0)},\"rss_end\":{final}," +
                $"\"alive\":{(alive ? "true" : "false")},\"ping\":{ping.ToJson()}}}\n"), CancellationToken.None);
        }

        return alive ? 0 : 1;
    }

    private static async Task ReceiveAsync(FuzzSource source, Action onReply, Action<long> onBytes, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[65_536];
        var message = new KrpcMessage();
        var any = new IPEndPoint(IPAddress.Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await source.Socket.ReceiveFromAsync(buffer, any, cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            onReply();
            onBytes(received.ReceivedBytes);
            if (KrpcParser.Parse(buffer.AsMemory(0, received.ReceivedBytes), message).IsOk && message.Has(KrpcFields.Token))
            {
                source.Token = message.Token.ToArray();
            }
        }
    }

    private static byte[][] LoadCorpus(string? directory)
    {
        directory ??= FindCorpus();
        return directory is null
            ? []
            : [.. Directory.GetFiles(directory, "*.bin", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(File.ReadAllBytes)];
    }

    private static string? FindCorpus()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "Dht.Protocol.Tests", "Corpus");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
