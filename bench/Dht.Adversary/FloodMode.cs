// flood: queries from many distinct source addresses (127.10.0.0 upwards: Linux routes all of 127/8 to the
// loopback interface, so each socket binds an address of its own), round robin at a fixed total rate, while a
// legitimate peer pings from 127.0.0.1. With more sources than the rate limiter tracks, every datagram comes
// from a source the limiter has just forgotten: the worst case for its table.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Dht.Protocol;
using Dht.Protocol.Krpc;

namespace Dht.Adversary;

/// <summary>The many-source flood.</summary>
internal static class FloodMode
{
    public static async Task<int> RunAsync(ToolArguments args, CancellationToken cancellationToken)
    {
        int sourceCount = args.Int("sources", 10_000);
        int rate = args.Int("rate", 20_000);
        var duration = TimeSpan.FromSeconds(args.Int("duration", 20));
        string[] mix = args.Text("mix", "ping,find_node,get_peers").Split(',');
        string? json = args.Optional("json");
        Console.WriteLine($"flood: {sourceCount} sources, {rate} queries/s in all, {duration.TotalSeconds} s, mix {string.Join('/', mix)}");

        await using var node = await NodeProcess.StartAsync(args.NodeExecutable(), args.Int("port", 0), args.NodeArguments, cancellationToken);
        var random = new Random(args.Int("seed", 1));
        var sockets = new Socket[sourceCount];
        var queries = new byte[sourceCount][];
        for (int i = 0; i < sourceCount; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)
            {
                // Replies are never read: a small buffer keeps 10,000 full queues from pinning kernel memory.
                ReceiveBufferSize = 2048,
            };
            socket.Bind(new IPEndPoint(new IPAddress([127, (byte)(10 + (i >> 16)), (byte)(i >> 8), (byte)i]), 0));
            sockets[i] = socket;
            var id = NodeId.CreateRandom(random);
            var target = NodeId.CreateRandom(random);
            queries[i] = mix[i % mix.Length] switch
            {
                "ping" => KrpcBytes.Query(KrpcMethod.Ping, "fl"u8, id, null),
                "find_node" => KrpcBytes.Query(KrpcMethod.FindNode, "fl"u8, id, m => (m.Target, m.Fields) = (target, m.Fields | KrpcFields.Target)),
                "get_peers" => KrpcBytes.Query(KrpcMethod.GetPeers, "fl"u8, id, m => (m.InfoHash, m.Fields) = (target, m.Fields | KrpcFields.InfoHash)),
                "get" => KrpcBytes.Query(KrpcMethod.Get, "fl"u8, id, m => (m.Target, m.Fields) = (target, m.Fields | KrpcFields.Target)),
                var other => throw new ArgumentException($"unknown query '{other}' in --mix"),
            };
        }

        using var pinger = new Pinger(node.EndPoint, TimeSpan.FromMilliseconds(10));
        var sampler = new Sampler(node, pinger);
        long sent = 0;
        var clock = Stopwatch.StartNew();
        var cpuBefore = node.CpuTime();
        var sender = new Thread(() =>
        {
            int next = 0;
            long due = 0;
            while (clock.Elapsed < duration && !cancellationToken.IsCancellationRequested && !node.HasExited)
            {
                long allowed = (long)(clock.Elapsed.TotalSeconds * rate);
                due = Math.Max(due, allowed - Math.Max(1, rate / 20)); // no burst after this process was starved of CPU
                if (due >= allowed)
                {
                    Thread.Sleep(1);
                    continue;
                }

                try
                {
                    sockets[next].SendTo(queries[next], SocketFlags.None, node.EndPoint);
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.NoBufferSpaceAvailable or SocketError.WouldBlock)
                {
                }

                next = (next + 1) % sockets.Length;
                due++;
                Volatile.Write(ref sent, sent + 1);
            }
        })
        { IsBackground = true, Name = "flood-send" };
        await sampler.RunAsync(sender, clock, () => string.Create(CultureInfo.InvariantCulture, $"sent {Volatile.Read(ref sent),9}"));
        var elapsed = clock.Elapsed;
        var cpu = node.CpuTime() - cpuBefore;
        long drops = node.KernelDrops();
        bool alive = !node.HasExited;
        var ping = pinger.Stop();
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"flood: {sent} queries from {sourceCount} sources in {elapsed.TotalSeconds:0.0} s ({sent / elapsed.TotalSeconds:0} /s); {drops} dropped by the kernel at the node's socket; " +
            $"node CPU {cpu.TotalSeconds:0.0} s ({100 * cpu.TotalSeconds / elapsed.TotalSeconds:0} % of a core, {cpu.TotalMicroseconds / Math.Max(1, sent):0.0} µs per query)"));
        Console.WriteLine(ping);
        Console.WriteLine(alive ? "node: alive" : $"node: EXITED with {node.ExitCode}\n{node.StandardErrorTail}");
        if (json is not null)
        {
            await File.AppendAllTextAsync(json, string.Create(CultureInfo.InvariantCulture,
                $"{{\"mode\":\"flood\",\"sources\":{sourceCount},\"rate\":{rate},\"mix\":\"{string.Join('/', mix)}\",\"sent\":{sent},\"seconds\":{elapsed.TotalSeconds:0.0},\"kernel_drops\":{drops}," +
                $"\"node_cpu_s\":{cpu.TotalSeconds:0.00},\"alive\":{(alive ? "true" : "false")},\"ping\":{ping.ToJson()}}}\n"), CancellationToken.None);
        }

        return alive ? 0 : 1;
    }
}
